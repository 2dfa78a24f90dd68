package io.hpcspawner.store;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/**
 * How every store writes a {@code ServerRecord}: its fields as they are (no getters), times as
 * ISO-8601 text (read back by {@link UtcInstants}), fields it does not know skipped on reading (a
 * record written by a newer version).
 */
public final class RecordJson {

    private RecordJson() {
    }

    /** The mapper of the file store: every field, nulls included. */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(new SimpleModule("utc-instants").addDeserializer(Instant.class, new UtcInstants()))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY);
    }

    /** The same without null fields: an API server's schema types every field it keeps, and null is no type. */
    public static ObjectMapper withoutNulls() {
        return mapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
    }
}

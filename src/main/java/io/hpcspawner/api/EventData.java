package io.hpcspawner.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hpcspawner.spawn.model.ProgressEvent;

/** The data of one progress event on the wire, in the shape JupyterHub's progress API uses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventData(int progress, String message, String state, Boolean ready, Boolean failed, Boolean stopped,
        String url, String code) {

    static EventData of(ProgressEvent e) {
        return new EventData(e.progress(), e.message(), e.state().wireName(), e.ready() ? true : null,
                e.failed() ? true : null, e.stopped() ? true : null, e.url(), e.code());
    }
}

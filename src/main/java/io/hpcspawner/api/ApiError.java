package io.hpcspawner.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every error answer: a stable code, a message for people, and the field at fault. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field) {
}

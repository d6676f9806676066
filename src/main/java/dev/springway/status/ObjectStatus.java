package dev.springway.status;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One object's status as it would be written to the API server. */
public record ObjectStatus(String apiVersion, String kind, Metadata metadata, ResourceStatus status) {

	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Metadata(String namespace, String name, long generation) {
	}
}

package dev.springway.status;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** A status condition as the API server stores it, without lastTransitionTime (the writer stamps it). */
public record Condition(String type, String status, String reason, String message, long observedGeneration) {

	public static Condition of(String type, boolean status, String reason, String message, long generation) {
		return new Condition(type, status ? "True" : "False", reason, message, generation);
	}

	@JsonIgnore
	public boolean isTrue() {
		return "True".equals(status);
	}
}

package dev.springway.translate;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Gateway API durations (GEP-2257): one to four {@code <1-5 digits><h|m|s|ms>} parts, e.g. {@code 1h30m}, {@code 500ms}. */
final class GatewayDurations {

	private static final Pattern FORMAT = Pattern.compile("^([0-9]{1,5}(h|m|s|ms)){1,4}$");

	private static final Pattern PART = Pattern.compile("([0-9]{1,5})(ms|h|m|s)");

	private GatewayDurations() {
	}

	/** The duration, or null when the text is not a Gateway API duration. */
	static Duration parse(String text) {
		if (text == null || !FORMAT.matcher(text).matches()) {
			return null;
		}
		Duration total = Duration.ZERO;
		Matcher part = PART.matcher(text);
		while (part.find()) {
			long amount = Long.parseLong(part.group(1));
			total = total.plus(switch (part.group(2)) {
				case "h" -> Duration.ofHours(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "s" -> Duration.ofSeconds(amount);
				default -> Duration.ofMillis(amount);
			});
		}
		return total;
	}
}

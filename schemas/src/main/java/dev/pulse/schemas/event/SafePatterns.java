package dev.pulse.schemas.event;

import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * Schemas' {@code pattern} keyword, matched by RE2/J: a finite automaton whose time is linear in
 * the length of the input, whatever the pattern. A tenant's pattern therefore cannot backtrack
 * catastrophically ({@code ^(a+)+$} against {@code "aaaa…!"} takes microseconds, not years) and
 * stall the worker that validates every other tenant's events too. The price: RE2 syntax, which
 * has no backreferences and no lookaround; a pattern using them is refused at registration,
 * as is one longer than {@value #MAX_LENGTH} characters or one RE2/J cannot compile (a repeat count
 * above 1000, say). Matching is unanchored, as JSON Schema says ({@code find}, not {@code matches}).
 */
public final class SafePatterns implements RegularExpressionFactory {
    public static final int MAX_LENGTH = 1000;
    static final SafePatterns FACTORY = new SafePatterns();

    private SafePatterns() {
    }

    /** Why {@code pattern} cannot be used, or null when it can. */
    public static String problem(String pattern) {
        if (pattern.length() > MAX_LENGTH) {
            return "the pattern is " + pattern.length() + " characters long; at most " + MAX_LENGTH + " are accepted";
        }
        try {
            com.google.re2j.Pattern.compile(pattern);
            return null;
        } catch (PatternSyntaxException e) {
            return "the pattern is not a regular expression Pulse can match in linear time (RE2 syntax: no backreferences, "
                    + "no lookahead or lookbehind): " + e.getDescription();
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile(regex);
        return input -> pattern.matcher(input).find();
    }
}

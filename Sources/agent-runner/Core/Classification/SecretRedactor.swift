/// Masks secrets in text that leaves the agent's own log: event payloads (`transient_error_detected.raw`,
/// the `crash_loop` reason) end up in fleet dashboards, alert hooks and chat channels.
///
/// Best effort, biased to over-redact: authorization headers, bearer tokens, credentials in
/// URLs, `KEY=value` pairs whose name says secret, well-known key prefixes (sk-, ghp_, xox.-,
/// AKIA), JWTs and PEM blocks all become `<redacted>`.
public enum SecretRedactor {
    public static let mask = "<redacted>"

    nonisolated(unsafe) private static let rules: [(Regex<AnyRegexOutput>, String)] = {
        let patterns: [(String, String)] = [
            (#"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"#, mask),
            (#"(?i)(authorization|proxy-authorization)\s*[:=]\s*(bearer|basic|token)?\s*[^\s,;)"']+"#, "$1: " + mask),
            (#"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"#, "Bearer " + mask),
            (#"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"#, "$1" + mask + "@"),
            (
                #"(?i)\b([A-Z0-9_]*(api[_-]?key|token|secret|passw(or)?d|credential|session)[A-Z0-9_]*)\s*([=:])\s*("[^"]*"|'[^']*'|[^\s,;]+)"#,
                "$1$4" + mask
            ),
            (#"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"#, mask),
            (
                #"\b(sk-(ant-)?[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})"#,
                mask
            ),
        ]
        return patterns.compactMap { pattern, replacement in
            (try? Regex(pattern)).map { ($0, replacement) }
        }
    }()

    /// `text` with every recognised secret replaced by `<redacted>`.
    public static func redact(_ text: String) -> String {
        mayHoldSecret(text) ? applyRules(text) : text
    }

    /// Every rule, in order.
    static func applyRules(_ text: String) -> String {
        var result = text
        for (regex, template) in rules {
            result = result.replacing(regex) { match in
                expand(template, match)
            }
        }
        return result
    }

    /// Words one of the rules needs, lowercased: text with none of them holds nothing to mask.
    static let triggers: [[UInt8]] = [
        "-----begin", "authorization", "bearer", "://", "api", "key", "token", "secret", "passw", "credential",
        "session", "eyj", "sk-", "gh", "github_pat_", "xox", "akia", "aiza",
    ].map { Array($0.utf8) }

    /// A byte scan before the regexes: serve redacts every round's result text (usually "done"
    /// or a summary), and running seven regexes on it each round kept the regex engine's code
    /// resident in serve (about 0.4 MiB of a 512 MB Pi's memory) for nothing.
    static func mayHoldSecret(_ text: String) -> Bool {
        var lowered = Array(text.utf8)
        for index in lowered.indices where lowered[index] >= 0x41 && lowered[index] <= 0x5A { lowered[index] |= 0x20 }
        return triggers.contains { trigger in
            guard lowered.count >= trigger.count else { return false }
            return (0...(lowered.count - trigger.count)).contains { start in
                lowered[start] == trigger[0] && lowered[start..<(start + trigger.count)].elementsEqual(trigger)
            }
        }
    }

    /// Substitutes `$1`…`$9` in `template` with the match's capture groups.
    private static func expand(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
        var out = ""
        var iterator = template.makeIterator()
        while let character = iterator.next() {
            guard character == "$" else {
                out.append(character)
                continue
            }
            guard let digit = iterator.next() else {
                out.append("$")
                break
            }
            if let index = digit.wholeNumberValue, index < match.output.count,
                let substring = match.output[index].substring
            {
                out += substring
            } else if digit.wholeNumberValue == nil {
                out.append("$")
                out.append(digit)
            }
        }
        return out
    }
}

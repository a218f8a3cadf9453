/// The one redactor: masks secrets in text that leaves the agent's own log. Event payloads,
/// `status`, `peek`, hook messages, the fleet event log and crash reasons end up in dashboards,
/// alert hooks and chat channels, so every one of those sinks passes its text through here
/// (``EventLogWriter`` redacts every string it writes; hooks and printers redact their text).
///
/// Best effort, biased to over-redact. Masked as `<redacted>`, each as a whole value:
/// - PEM private key blocks, whole (and the end of a block whose start was cut off);
/// - `Authorization`/`Proxy-Authorization` headers, bearer tokens, `user:pass@` in URLs;
/// - `KEY=value`, `KEY: value`, JSON `"KEY": "value"` and `--KEY value` / `--KEY=value` whose name
///   says key, token, secret, password, credential or session (`aws_secret_access_key` among them);
/// - well-known token shapes: OpenAI/Anthropic `sk-`, GitHub `ghp_ gho_ ghu_ ghs_ ghr_ github_pat_`,
///   Slack `xox?-` and `xapp-`, AWS `AKIA`/`ASIA` key ids, Google `AIza` and `ya29.`, Stripe
///   `sk_live_ rk_live_ sk_test_ rk_test_ whsec_`, GitLab `glpat-` (and its siblings), npm `npm_`,
///   Hugging Face `hf_`, SendGrid `SG.`, DigitalOcean `dop_v1_`, PyPI `pypi-`, JWTs.
///
/// Redact whole values, then cut: ``redact(_:clippedTo:keeping:)`` does it in that order, so a
/// cut can never leave half a secret unrecognised.
public enum SecretRedactor {
    public static let mask = "<redacted>"

    /// Names that mark a value as secret in `KEY=value`, JSON and option forms.
    private static let secretName =
        #"(?:api[_-]?key|access[_-]?key|private[_-]?key|token|secret|passw(?:or)?d|passphrase|credential|session)"#

    nonisolated(unsafe) private static let rules: [(Regex<AnyRegexOutput>, String)] = {
        let patterns: [(String, String)] = [
            (
                #"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)"#,
                mask
            ),
            // The end of a block whose BEGIN line was cut off (a tail of a transcript).
            (#"\A(?:(?!-----BEGIN )[\s\S])*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----"#, mask),
            (
                #"(?i)"([A-Za-z0-9_.-]*"# + secretName + #"[A-Za-z0-9_.-]*)"\s*:\s*"(?:[^"\\]|\\.)*""#,
                "\"$1\": \"" + mask + "\""
            ),
            (#"(?i)(authorization|proxy-authorization)\s*[:=]\s*(bearer|basic|token)?\s*[^\s,;)"']+"#, "$1: " + mask),
            (#"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"#, "Bearer " + mask),
            (#"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"#, "$1" + mask + "@"),
            (
                #"(?i)(^|[\s"'=])(--?[A-Za-z0-9-]*"# + secretName
                    + #"[A-Za-z0-9-]*)(\s+|=)("[^"]*"|'[^']*'|[^\s"'-][^\s]*)"#,
                "$1$2$3" + mask
            ),
            (
                #"(?i)\b([A-Z0-9_]*"# + secretName + #"[A-Z0-9_]*)\s*([=:])\s*("[^"]*"|'[^']*'|[^\s,;]+)"#,
                "$1$2" + mask
            ),
            (#"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"#, mask),
            (
                #"\b(sk-(ant-)?[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}"#
                    + #"|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|(AKIA|ASIA)[0-9A-Z]{16}"#
                    + #"|AIza[0-9A-Za-z_-]{30,}|ya29\.[0-9A-Za-z_-]{20,}|(sk|rk)_(live|test)_[0-9A-Za-z]{10,}"#
                    + #"|whsec_[0-9A-Za-z]{20,}|gl(pat|dt|rt|ptt|cbt|imt|ft|soat|agent)-[0-9A-Za-z_-]{20,}"#
                    + #"|npm_[A-Za-z0-9]{30,}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"#
                    + #"|dop_v1_[a-f0-9]{40,}|pypi-[A-Za-z0-9_-]{50,})"#,
                mask
            ),
        ]
        return patterns.compactMap { pattern, replacement in
            // Scalars, not grapheme clusters: a combining mark must not hide a delimiter.
            (try? Regex(pattern)).map { ($0.matchingSemantics(.unicodeScalar), replacement) }
        }
    }()

    /// `text` with every recognised secret replaced by `<redacted>`.
    public static func redact(_ text: String) -> String {
        mayHoldSecret(text) ? applyRules(text) : text
    }

    /// Which end of a text a cut keeps.
    public enum Keep: Sendable {
        case head, tail
    }

    /// `text` redacted as a whole, then cut to at most `maxBytes` UTF-8 bytes on a scalar
    /// boundary (and `maxScalars` scalars, for fields the original tool cut by code point): the
    /// order that keeps a secret straddling the cut from surviving as an unrecognisable half.
    public static func redact(
        _ text: String, clippedTo maxBytes: Int, maxScalars: Int? = nil, keeping keep: Keep
    ) -> String {
        let redacted = redact(text)
        let scalars = maxScalars ?? maxBytes
        switch keep {
        case .head: return UTF8Clip.prefix(redacted, maxScalars: scalars, maxBytes: maxBytes)
        case .tail: return UTF8Clip.suffix(redacted, maxScalars: scalars, maxBytes: maxBytes)
        }
    }

    /// Every string in `value` redacted (object keys are ours and stay as they are).
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text):
            let redacted = redact(text)
            return redacted == text ? value : .string(redacted)
        case .array(let elements):
            return .array(elements.map(redact))
        case .object(let members):
            var object = JSONObject()
            for (key, member) in members { object[key] = redact(member) }
            return .object(object)
        default:
            return value
        }
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

    /// Words one of the shape rules needs, lowercased: text with none of them (and no secret
    /// name in a `name=value` position) holds nothing to mask.
    static let triggers: [[UInt8]] = [
        "-----begin", "-----end", "authorization", "bearer", "://", "eyj", "sk-", "ghp_", "gho_", "ghu_", "ghs_",
        "ghr_", "github_pat_", "xox", "xapp-", "akia", "asia", "aiza", "ya29.", "sk_live_", "sk_test_", "rk_live_",
        "rk_test_", "whsec_", "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glimt-", "glft-", "glsoat-",
        "glagent-", "npm_", "hf_", "sg.", "dop_v1_", "pypi-",
    ].map { Array($0.utf8) }

    /// The secret names of the `KEY=value`, JSON and option rules, lowercased. They are common
    /// words ("keyboard", "session"), so they count only where a rule could match: followed by
    /// name characters and then `=`, `:` or `": `, or, in an option starting with `-`, by a space.
    static let names: [[UInt8]] = ["key", "token", "secret", "passw", "passphrase", "credential", "session"].map {
        Array($0.utf8)
    }

    /// The triggers and names by their first byte, for the scan.
    private static let candidatesByFirstByte: [[(word: [UInt8], isName: Bool)]] = {
        var table = [[(word: [UInt8], isName: Bool)]](repeating: [], count: 256)
        for trigger in triggers { table[Int(trigger[0])].append((trigger, false)) }
        for name in names { table[Int(name[0])].append((name, true)) }
        return table
    }()

    /// A byte scan before the regexes: every event string is redacted (mostly numbers, paths and
    /// short fixed words), and running the regexes on all of them kept the regex engine's code
    /// resident in serve (about 0.9 MiB of a 512 MB Pi's memory) and cost time per event. One
    /// pass, ASCII case folded on the fly, candidates looked up by their first byte. Never
    /// false when a rule would change the text (`SecretRedactorPrefilterTests`).
    static func mayHoldSecret(_ text: String) -> Bool {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            let table = candidatesByFirstByte
            let count = bytes.count
            var start = 0
            while start < count {
                for candidate in table[Int(lowered(bytes[start]))] where start + candidate.word.count <= count {
                    var offset = 1
                    while offset < candidate.word.count && lowered(bytes[start + offset]) == candidate.word[offset] {
                        offset += 1
                    }
                    guard offset == candidate.word.count else { continue }
                    if !candidate.isName || nameInPosition(bytes, start: start, end: start + offset) { return true }
                }
                start += 1
            }
            return false
        } ?? true
    }

    /// Whether the secret name at `start..<end` sits where a name rule could match it.
    private static func nameInPosition(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Bool {
        var index = end
        while index < bytes.count && isNameByte(bytes[index]) { index += 1 }
        if index < bytes.count && bytes[index] == UInt8(ascii: "\"") { index += 1 }
        let beforeSpaces = index
        while index < bytes.count && isSpace(bytes[index]) { index += 1 }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "=") || bytes[index] == UInt8(ascii: ":")) {
            return true
        }
        guard index > beforeSpaces else { return false }
        // `--password value`: the word holding the name starts with `-`.
        var runStart = start
        while runStart > 0 && (isAlphanumeric(bytes[runStart - 1]) || bytes[runStart - 1] == UInt8(ascii: "-")) {
            runStart -= 1
        }
        return bytes[runStart] == UInt8(ascii: "-")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// `\s` of the rules, over-approximated: ASCII whitespace and every non-ASCII byte (U+00A0,
    /// U+2028 and the other Unicode spaces the rules' `\s` matches are non-ASCII).
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte) || byte >= 0x80
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
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

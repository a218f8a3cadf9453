/// Recognises a failure to reach the provider in a CLI's error text: the errno codes node and
/// libc print (ECONNRESET, ETIMEDOUT, ENOTFOUND, EAI_AGAIN... which the original's regex missed)
/// and the phrases SDKs wrap them in ("Connection error.", "socket hang up").
///
/// Deliberately not the bare word "dns" (the original matched it in any prose of a failed
/// round). Matching is ASCII case-insensitive on whole words; the earliest entry of each list
/// wins, so `read ECONNRESET` beats the generic "Connection error." printed above it.
enum NetworkErrorText {
    /// Connection-level failures: ``TransientError/Classification/networkError``.
    static let connection = [
        "ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH",
        "ENETUNREACH", "ENETDOWN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "connection refused",
        "connection reset", "connection error", "connection aborted", "connection failed", "connection_failed",
        "socket hang up", "name or service not known", "temporary failure in name resolution",
        "nodename nor servname", "network is unreachable", "network unreachable", "no route to host",
        "could not resolve host", "getaddrinfo", "fetch failed", "connect timed out", "connection timed out",
    ]
    /// The provider was reached but did not answer in time: ``TransientError/Classification/apiTimeout``.
    static let timeout = ["request timed out", "read timed out", "timed out", "timeout"]

    /// The classification and the matched text (as written) of the first network marker in `text`.
    static func match(_ text: String) -> (classification: TransientError.Classification, matched: String)? {
        if let matched = firstWord(of: connection, in: text) { return (.networkError, matched) }
        if let matched = firstWord(of: timeout, in: text) { return (.apiTimeout, matched) }
        return nil
    }

    /// The failure for `message` when it shows a network marker.
    static func failure(_ message: String, searching text: String? = nil) -> ProviderFailure? {
        guard let (classification, matched) = match(text ?? message) else { return nil }
        return ProviderFailure(.transient(classification), message: message, networkMatch: matched)
    }

    /// The first needle (in list order) found in `text` as a whole word, as `text` spells it.
    static func firstWord(of needles: [String], in text: String) -> String? {
        let haystack = Array(text.utf8)
        let lowered = haystack.map(lower)
        for needle in needles {
            let pattern = needle.utf8.map(lower)
            if let start = find(pattern, in: lowered) {
                return String(decoding: haystack[start..<start + pattern.count], as: UTF8.self)
            }
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    private static func find(_ pattern: [UInt8], in text: [UInt8]) -> Int? {
        guard !pattern.isEmpty, text.count >= pattern.count else { return nil }
        var start = 0
        while start + pattern.count <= text.count {
            guard let first = text[start...].firstIndex(of: pattern[0]), first + pattern.count <= text.count else {
                return nil
            }
            if text[first..<first + pattern.count].elementsEqual(pattern),
                first == 0 || !isWordByte(text[first - 1]),
                first + pattern.count == text.count || !isWordByte(text[first + pattern.count])
            {
                return first
            }
            start = first + 1
        }
        return nil
    }
}

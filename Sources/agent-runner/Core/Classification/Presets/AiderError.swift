/// One `litellm.<Name>Error: …` message aider printed, with rich's wrapping undone.
///
/// aider prints provider errors as plain text, wrapped at 80 columns when stdout is not a
/// terminal (`COLUMNS=250` avoids it), sometimes glued to a partial reply ("Let me" +
/// "litellm.APIConnectionError: …"). The message runs from the `litellm.` line to the first
/// line aider adds itself ("The API provider …", "Retrying in …") or a blank line; its lines
/// are joined with single spaces.
struct AiderError: Equatable {
    /// The litellm exception name: `RateLimitError`, `AuthenticationError`, `Timeout`...
    var name: String
    /// The whole message from `litellm.` on, unwrapped.
    var text: String
    /// Index of the message's last line in the transcript.
    var lastLine: Int

    /// Most lines one message may span (a provider's JSON body can be long).
    static let maxLines = 16

    /// Every litellm error in `lines`, in order.
    static func all(in lines: [String]) -> [AiderError] {
        var errors: [AiderError] = []
        var index = 0
        while index < lines.count {
            guard let (name, start) = header(lines[index]) else {
                index += 1
                continue
            }
            var parts = [String(lines[index][start...])]
            var last = index
            while last + 1 < lines.count, last + 1 - index < maxLines, !endsMessage(lines[last + 1]) {
                last += 1
                parts.append(lines[last])
            }
            let words = parts.joined(separator: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
            errors.append(AiderError(name: name, text: words.joined(separator: " "), lastLine: last))
            index = last + 1
        }
        return errors
    }

    /// Whether `line` is aider's own output after an error, not the provider's text:
    /// blank, aider's explanation, its retry notice, or the documentation URL it repeats.
    static func isAiderFollowUp(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.isEmpty || trimmed.hasPrefix("The API provider") || trimmed.hasPrefix("Retrying in ")
            || trimmed.hasPrefix("Open URL for more info")
            || ((trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://")) && !trimmed.contains(" "))
    }

    private static func endsMessage(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.isEmpty || trimmed.hasPrefix("The API provider") || trimmed.hasPrefix("Retrying in ")
            || header(line) != nil
    }

    /// The exception name and where `litellm.` starts, when `line` opens an error message.
    private static func header(_ line: String) -> (String, String.Index)? {
        guard let range = line.firstRange(of: "litellm.") else { return nil }
        let name = line[range.upperBound...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard name.first?.isUppercase == true, line[name.endIndex...].first == ":",
            name.hasSuffix("Error") || name.hasSuffix("Timeout") || name.hasSuffix("Exception")
        else { return nil }
        return (String(name), range.lowerBound)
    }
}

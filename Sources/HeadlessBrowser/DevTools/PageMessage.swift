import FleetCore

/// Turns the DevTools events that report problems in a page into the lines of
/// ``BrowserPage/messages``: `"level: text"`.
///
/// - `Runtime.consoleAPICalled`: `console.log/warn/error(...)`; the level is the console
///   method's type (`log`, `warning`, `error`, `info`, `debug`, ...), the text its arguments
///   joined by spaces.
/// - `Runtime.exceptionThrown`: an uncaught exception or unhandled rejection, as
///   `exception: Uncaught Error: boom (at http://host/app.js:12:5)`.
/// - `Log.entryAdded`: what the browser itself reports: Content-Security-Policy violations
///   (source `security`, level `error`), failed resource loads (source `network`),
///   deprecations and interventions.
enum PageMessage {
    static func line(method: String, params: JSONValue) -> String? {
        switch method {
        case "Runtime.consoleAPICalled":
            let level = params["type"]?.stringValue ?? "log"
            let text = (params["args"]?.arrayValue ?? []).map(argumentText).joined(separator: " ")
            return "\(level): \(text)"
        case "Runtime.exceptionThrown":
            guard let details = params["exceptionDetails"] else { return nil }
            return "exception: \(exceptionText(details))"
        case "Log.entryAdded":
            guard let entry = params["entry"], let text = entry["text"]?.stringValue else { return nil }
            let level = entry["level"]?.stringValue ?? "info"
            var line = "\(level): \(text)"
            if let url = entry["url"]?.stringValue, !url.isEmpty, !url.hasPrefix("data:") {
                line += " (\(url))"
            }
            return line
        default:
            return nil
        }
    }

    /// One line for an exception: the message (the first line of the error's description;
    /// the stack is left out) and where it was thrown.
    ///
    /// Chromium's `text` is `Uncaught` with the error in `exception.description`, except for
    /// unhandled rejections, where `text` already holds `Uncaught (in promise) TypeError: x`.
    static func exceptionText(_ details: JSONValue) -> String {
        let text = details["text"]?.stringValue ?? "exception"
        let description =
            details["exception"]?["description"]?.stringValue
            ?? details["exception"]?["value"].map(RemoteValue.jsonText)
        var result = text
        if let firstLine = description?.split(separator: "\n", maxSplits: 1).first.map(String.init),
            !text.contains(firstLine)
        {
            result += " " + firstLine
        }
        if let url = details["url"]?.stringValue, !url.isEmpty, !url.hasPrefix("data:"),
            let line = details["lineNumber"]?.intValue, let column = details["columnNumber"]?.intValue
        {
            result += " (at \(url):\(line + 1):\(column + 1))"
        }
        return result
    }

    /// A console argument: strings as they are, other values as chromium describes them
    /// (`42`, `Object`, `Array(3)`, `Error: x ...`).
    private static func argumentText(_ argument: JSONValue) -> String {
        if let string = argument["value"]?.stringValue { return string }
        if let description = argument["description"]?.stringValue { return description }
        if let unserializable = argument["unserializableValue"]?.stringValue { return unserializable }
        if let value = argument["value"] { return RemoteValue.jsonText(value) }
        return argument["type"]?.stringValue ?? "?"
    }
}

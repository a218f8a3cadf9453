/// The one layout of machine output in both programs: every `--json` answer (and every JSON
/// stream: `events`, `watch --json`, `monitor --json`) is JSON Lines, one compact object per line
/// with no spaces, so `jq`, `grep` and a line-by-line reader take the output of any verb alike.
/// Files stay as they are (the event log keeps the original's `json.dumps` spacing, state files
/// stay indented for people who open them): this is for stdout.
public enum JSONLines {
    /// `value` as one line: compact, newline-terminated.
    public static func line(_ value: JSONValue) -> String {
        JSONWriter(style: .compact).string(value) + "\n"
    }

    /// `object` as one line: compact, newline-terminated.
    public static func line(_ object: JSONObject) -> String {
        line(.object(object))
    }
}

extension JSONLines {
    /// An event as a JSON Lines line without its newline: `{"ts":...,"event":...,...}`, whatever
    /// spacing the log it came from used (the original writes `json.dumps`' `", "` and `": "`).
    public static func compact(_ event: Event) -> String {
        JSONWriter(style: .compact).string(.object(event.object))
    }
}

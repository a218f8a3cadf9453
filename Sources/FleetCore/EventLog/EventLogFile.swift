import Glibc

/// One monthly file of the event log: `events-YYYY-MM.jsonl`, holding the events emitted in
/// that UTC month. The metrics log uses the same layout under the prefix `metrics`
/// (`metrics-YYYY-MM.jsonl`, events.md §4).
public struct EventLogFile: Sendable, Hashable, Comparable {
    /// The prefix of the event log's files.
    public static let eventsPrefix = "events"
    /// The prefix of the host-metrics log's files.
    public static let metricsPrefix = "metrics"

    /// The year of the month the file covers.
    public let year: Int
    /// The month (1...12).
    public let month: Int
    /// The full path of the file.
    public let path: String

    /// The file for `year`/`month` inside `directory`.
    public init(directory: String, year: Int, month: Int, prefix: String = EventLogFile.eventsPrefix) {
        self.year = year
        self.month = month
        self.path = SystemIO.join(directory, EventLogFile.name(year: year, month: month, prefix: prefix))
    }

    /// The file that receives events emitted at `instant`.
    public init(directory: String, instant: UTCInstant, prefix: String = EventLogFile.eventsPrefix) {
        let components = instant.components
        self.init(directory: directory, year: Int(clamping: components.year), month: components.month, prefix: prefix)
    }

    /// The file named `name` in `directory`, or nil when the name is not `<prefix>-YYYY-MM.jsonl`.
    public init?(directory: String, name: String, prefix: String = EventLogFile.eventsPrefix) {
        let bytes = Array(name.utf8)
        let pattern = Array("\(prefix)-0000-00.jsonl".utf8)
        let digitsFrom = prefix.utf8.count + 1
        guard bytes.count == pattern.count else { return nil }
        var year = 0
        var month = 0
        for (index, (byte, expected)) in zip(bytes, pattern).enumerated() {
            if index >= digitsFrom, expected == UInt8(ascii: "0") {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let digit = Int(byte - UInt8(ascii: "0"))
                if index < digitsFrom + 4 { year = year * 10 + digit } else { month = month * 10 + digit }
            } else if byte != expected {
                return nil
            }
        }
        guard (1...12).contains(month) else { return nil }
        self.init(directory: directory, year: year, month: month, prefix: prefix)
    }

    /// `events-YYYY-MM.jsonl` (or `<prefix>-YYYY-MM.jsonl`).
    public static func name(year: Int, month: Int, prefix: String = EventLogFile.eventsPrefix) -> String {
        let yearText = String(year)
        let monthText = String(month)
        return prefix + "-" + String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            + "-" + (monthText.count < 2 ? "0" : "") + monthText + ".jsonl"
    }

    /// The event-log files in `directory`, oldest month first; empty when the directory does not
    /// exist (nothing has been logged yet). Other names in the directory are ignored.
    public static func list(in directory: String, prefix: String = EventLogFile.eventsPrefix) throws -> [EventLogFile] {
        let names: [String]
        do {
            names = try SystemIO.listDirectory(directory)
        } catch  where error.code == ENOENT {
            return []
        } catch {
            throw EventLogError("list the event-log directory", path: directory, failure: error)
        }
        return names.compactMap { EventLogFile(directory: directory, name: $0, prefix: prefix) }.sorted()
    }

    public static func < (lhs: EventLogFile, rhs: EventLogFile) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}

import Glibc

/// One monthly file of the event log: `events-YYYY-MM.jsonl`, holding the events emitted in
/// that UTC month. fleetctl's own log uses the same layout with the prefix `fleet-events-`, so
/// it can live beside a host's log without being mistaken for it.
public struct EventLogFile: Sendable, Hashable, Comparable {
    /// The prefix of agent-runner's files.
    public static let defaultPrefix = "events-"

    /// The year of the month the file covers.
    public let year: Int
    /// The month (1...12).
    public let month: Int
    /// The full path of the file.
    public let path: String

    /// The file for `year`/`month` inside `directory`.
    public init(directory: String, year: Int, month: Int, prefix: String = EventLogFile.defaultPrefix) {
        self.year = year
        self.month = month
        self.path = SystemIO.join(directory, EventLogFile.name(year: year, month: month, prefix: prefix))
    }

    /// The file that receives events emitted at `instant`.
    public init(directory: String, instant: UTCInstant, prefix: String = EventLogFile.defaultPrefix) {
        let components = instant.components
        self.init(directory: directory, year: Int(clamping: components.year), month: components.month, prefix: prefix)
    }

    /// The file named `name` in `directory`, or nil when the name is not `<prefix>YYYY-MM.jsonl`.
    public init?(directory: String, name: String, prefix: String = EventLogFile.defaultPrefix) {
        let bytes = Array(name.utf8)
        let pattern = Array((prefix + "0000-00.jsonl").utf8)
        let yearEnd = prefix.utf8.count + 4
        guard bytes.count == pattern.count else { return nil }
        var year = 0
        var month = 0
        for (index, (byte, expected)) in zip(bytes, pattern).enumerated() {
            if expected == UInt8(ascii: "0") {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let digit = Int(byte - UInt8(ascii: "0"))
                if index < yearEnd { year = year * 10 + digit } else { month = month * 10 + digit }
            } else if byte != expected {
                return nil
            }
        }
        guard (1...12).contains(month) else { return nil }
        self.init(directory: directory, year: year, month: month, prefix: prefix)
    }

    /// `<prefix>YYYY-MM.jsonl` (`events-2026-11.jsonl`).
    public static func name(year: Int, month: Int, prefix: String = EventLogFile.defaultPrefix) -> String {
        let yearText = String(year)
        let monthText = String(month)
        return prefix + String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            + "-" + (monthText.count < 2 ? "0" : "") + monthText + ".jsonl"
    }

    /// The event-log files in `directory`, oldest month first; empty when the directory does not
    /// exist (nothing has been logged yet). Other names in the directory are ignored.
    public static func list(in directory: String, prefix: String = EventLogFile.defaultPrefix) throws -> [EventLogFile] {
        let names: [String]
        do {
            names = try SystemIO.listDirectory(directory)
        } catch where error.code == ENOENT {
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

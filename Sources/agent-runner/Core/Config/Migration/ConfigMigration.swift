import FleetCore

/// What `agent-runner migrate` found in one config file and the text it would write: a value,
/// so the report, the diff and the JSON are tested without touching the disk.
public struct ConfigMigration: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A change the migration makes.
        case rewrite
        /// Advice: the file loads either way.
        case note
        /// Left for the operator: changing it automatically could change what runs.
        case manual
    }

    /// One line of the report.
    public struct Item: Sendable, Equatable {
        public var kind: Kind
        /// 1-based line in the file as it was read.
        public var line: Int
        /// The same place in the migrated text (equal to `line` when nothing moved it).
        public var migratedLine: Int
        /// Dotted key (`runtime.round_timeout_s`).
        public var key: String
        public var message: String

        public init(kind: Kind, line: Int, migratedLine: Int? = nil, key: String, message: String) {
            self.kind = kind
            self.line = line
            self.migratedLine = migratedLine ?? line
            self.key = key
            self.message = message
        }
    }

    /// The file as the operator named it.
    public var file: String
    public var original: String
    /// The migrated text; equal to `original` when there is nothing to rewrite.
    public var migrated: String
    public var items: [Item]

    public var rewrites: [Item] { items.filter { $0.kind == .rewrite } }
    public var notes: [Item] { items.filter { $0.kind == .note } }
    public var manual: [Item] { items.filter { $0.kind == .manual } }

    /// Whether the migration changes the text (the second run of a migration does not).
    public var changesText: Bool { migrated != original }

    /// `--- agent-runner.toml` / `+++ agent-runner.toml (migrated)` and the hunks; empty when
    /// nothing changes.
    public var diff: String {
        LineDiff.unified(old: original, new: migrated, oldLabel: file, newLabel: "\(file) (migrated)")
    }

    /// The report lines in the original's layout (`  rewrite: `, `  NOTE:    `, `  MANUAL:  `),
    /// each naming file:line. Rewrites name the line they changed in the file as read; notes
    /// and manual items name the line in the file as it is after this run (`written`).
    public func reportLines(written: Bool) -> [String] {
        let byLine = { (items: [Item]) in items.sorted { $0.line < $1.line } }
        return (byLine(rewrites) + notes + manual).map { item in
            let line = written ? item.migratedLine : item.line
            switch item.kind {
            case .rewrite: return "  rewrite: \(file):\(line): \(item.message)"
            case .note: return "  NOTE:    \(file):\(line): \(item.key): \(item.message)"
            case .manual: return "  MANUAL:  \(file):\(line): \(item.key): \(item.message)"
            }
        }
    }

    /// The `--json` document of a run (see docs/commands.md).
    public func json(dryRun: Bool, written: Bool, backup: String?) -> JSONValue {
        func list(_ items: [Item], written: Bool) -> JSONValue {
            .array(
                items.map { item in
                    .object(
                        JSONObject([
                            ("line", .int(Int64(written ? item.migratedLine : item.line))), ("key", .string(item.key)),
                            ("message", .string(item.message)),
                        ]))
                })
        }
        return .object(
            JSONObject([
                ("path", .string(file)), ("changed", .bool(changesText)), ("dry_run", .bool(dryRun)),
                ("written", .bool(written)), ("backup", backup.map(JSONValue.string) ?? .null),
                ("rewrites", list(rewrites, written: false)), ("notes", list(notes, written: written)),
                ("manual", list(manual, written: written)), ("diff", .string(diff)),
            ]))
    }
}

/// `agent-runner migrate` could not produce a text it can stand behind; nothing was written.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 78 for a config that cannot be read or parsed, 70 for a migration bug, 1 for a write failure.
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

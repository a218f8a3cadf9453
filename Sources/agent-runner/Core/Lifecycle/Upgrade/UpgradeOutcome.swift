import FleetCore

extension Upgrader {
    /// How this host's supervisor was restarted, if at all.
    public enum Path: String, Sendable, Equatable {
        case systemdUser = "systemd_user"
        case pidFile = "pid_file"
        case packageOnly = "package_only"
    }

    /// How an upgrade that got past its checks ended; `exitCode` is the verb's.
    public struct Outcome: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            case serviceUpgraded = "service_upgraded"
            case packageUpgraded = "package_upgraded"
            case rolledBack = "service_upgrade_rolled_back"
            case rollbackFailed = "service_upgrade_rollback_failed"
            /// Package-only smoke failed: nothing was switched.
            case smokeFailed = "smoke_failed"
            /// The build is already the one bin_link points at.
            case unchanged
            /// `--rollback` found an interrupted upgrade and undid it (back on its old build);
            /// nothing older was switched to.
            case interruptedUpgradeUndone = "interrupted_upgrade_undone"
        }

        public var kind: Kind
        public var path: Path
        public var fromVersion: String
        public var toVersion: String
        public var exitCode: Int32

        public init(kind: Kind, path: Path, fromVersion: String, toVersion: String, exitCode: Int32) {
            self.kind = kind
            self.path = path
            self.fromVersion = fromVersion
            self.toVersion = toVersion
            self.exitCode = exitCode
        }

        /// `upgrade --json`: the outcome and where bin_link is.
        public func json(binLink: String) -> JSONValue {
            .object(
                JSONObject([
                    ("outcome", .string(kind.rawValue)), ("path", .string(path.rawValue)),
                    ("from_version", .string(fromVersion)), ("to_version", .string(toVersion)),
                    ("bin_link", .string(binLink)), ("exit_code", .int(Int64(exitCode))),
                ]))
        }
    }
}

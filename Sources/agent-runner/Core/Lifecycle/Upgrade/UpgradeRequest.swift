import FleetCore

extension Upgrader {
    /// Where a new build comes from.
    public enum Source: Sendable, Equatable {
        case file(String)
        /// `--from -`: how fleetctl pushes a build over ssh.
        case standardInput
    }

    /// What the operator asked `agent-runner upgrade` for, validated: exactly one way to pick
    /// the build, so the upgrader never has to second-guess a combination of flags.
    public struct Request: Sendable, Equatable {
        public enum Intent: Sendable, Equatable {
            /// `--from`: a new build, refused unless its SHA-256 is `sha256` and its version is
            /// `target` (when given).
            case install(Source, sha256: String?, target: String?)
            /// `--target` alone: a version already installed in versions_dir (offline, so a
            /// rollback never depends on the build server); otherwise that version as
            /// `[upgrade] source` lists it, downloaded and verified.
            case switchTo(String)
            /// No flags: the newest release `[upgrade] source` lists for this host's
            /// architecture (the runbook's `agent-runner upgrade`).
            case latest
            /// `--rollback`: the previous version state.json records. An interrupted upgrade
            /// that recovery undoes counts as the rollback.
            case rollback
        }

        public var intent: Intent
        /// Package-only even when the service runs: switch, and print the restart command.
        public var noRestart: Bool

        public init(_ intent: Intent, noRestart: Bool = false) {
            self.intent = intent
            self.noRestart = noRestart
        }

        /// The request the flags of `agent-runner upgrade` make (`from` is `-` for standard
        /// input). Throws the usage error that says which flags do not go together.
        public init(
            from: String?, target: String?, sha256: String?, noRestart: Bool, rollback: Bool
        )
            throws(UsageError)
        {
            func refuse(_ message: String) -> UsageError { UsageError(message, verb: "upgrade") }
            if rollback && (from != nil || target != nil || sha256 != nil) {
                throw refuse(
                    "--rollback takes no --from, --target or --sha256 "
                        + "(it returns to the previous installed version)")
            }
            if let target, let problem = VersionStore.versionProblem(target) {
                throw refuse("--target must be a version such as 0.1.13, got '\(target)': \(problem)")
            }
            if let sha256 {
                guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else {
                    throw refuse("--sha256 must be 64 hex digits (sha256sum's output), got '\(sha256)'")
                }
                guard from != nil else {
                    throw refuse("--sha256 verifies the build given with --from; add --from PATH|-")
                }
            }
            if rollback {
                self.init(.rollback, noRestart: noRestart)
            } else if let from {
                let source = from == "-" ? Source.standardInput : .file(from)
                self.init(.install(source, sha256: sha256, target: target), noRestart: noRestart)
            } else if let target {
                self.init(.switchTo(target), noRestart: noRestart)
            } else {
                self.init(.latest, noRestart: noRestart)
            }
        }
    }
}

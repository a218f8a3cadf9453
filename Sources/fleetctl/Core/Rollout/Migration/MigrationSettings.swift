/// Where a migration puts our build on each host, and how long it waits for the original to
/// stop. Recorded in the rollout journal, so `--resume` and `--abort` use the same places.
///
/// Our build never goes where the original lives: pipx puts the original's entry point at
/// `~/.local/bin/agent-runner`, which is also our `[upgrade] bin_link` default, so ours gets its
/// own link (default `~/.local/bin/agent-runner-swift`) into our versions folder (our upgrade's
/// layout, `versions_dir/<version>/agent-runner`), and the migrated config names that link as its
/// `[upgrade] bin_link`, so a later `fleetctl upgrade` switches our link, never the original's.
public struct MigrationSettings: Sendable, Equatable {
    public static let defaultLink = "~/.local/bin/agent-runner-swift"
    public static let defaultVersionsDir = "~/.local/lib/agent-runner/versions"
    /// Where the restore records live on each host (one folder per rollout, mode 0700).
    public static let backupRoot = "~/.agent-runner-migration"

    /// Our agent-runner on the host once installed: a symlink into ``versionsDir``.
    public var link: String
    public var versionsDir: String
    /// How long the original may take to stop (its round in flight finishes first).
    public var stopTimeoutS: Double

    public init(link: String = defaultLink, versionsDir: String = defaultVersionsDir, stopTimeoutS: Double = 1860) {
        self.link = link
        self.versionsDir = versionsDir
        self.stopTimeoutS = stopTimeoutS
    }
}

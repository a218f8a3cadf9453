/// What the next `agent-runner upgrade` does about an interrupted one, decided from its
/// ``UpgradeRecord`` and what is on disk now. Pure: ``plan(_:linkedVersion:currentVersion:isInstalled:)``
/// reads nothing itself.
///
/// The rule: a new build that never failed and that bin_link already points at is finished
/// (checked again exactly as the upgrade would have: smoke, then the service confirmed up, then
/// committed), since the service may already be running it (a boot starts bin_link); anything
/// else goes back to the old build, as the interrupted upgrade's own rollback would have.
public enum UpgradeRecovery: Sendable, Equatable {
    /// The upgrade was committed (state.json and bin_link agree on the new build); only its
    /// record was left.
    case completed
    /// bin_link points at the new build and nothing failed: check it again and commit it.
    case finish
    /// Back to the old build: bin_link switched back when `switchLink`, the service restarted
    /// on it.
    case restore(switchLink: Bool)

    public static func plan(
        _ record: UpgradeRecord, linkedVersion: String?, currentVersion: String?,
        isInstalled: (String) -> Bool
    ) -> UpgradeRecovery {
        if linkedVersion == record.toVersion && currentVersion == record.toVersion {
            return .completed
        }
        if record.step != .rollingBack && linkedVersion == record.toVersion && isInstalled(record.toVersion) {
            return .finish
        }
        return .restore(switchLink: linkedVersion != record.fromVersion && isInstalled(record.fromVersion))
    }
}

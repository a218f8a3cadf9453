/// The version both programs report, and which `agent-runner upgrade` and `fleetctl upgrade`
/// compare against a rollout's target.
public enum BuildInfo {
    public static let version = "0.1.0"
}

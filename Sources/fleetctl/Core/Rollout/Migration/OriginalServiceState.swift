import Detectors
import FleetCore

/// How the original runs on a host, from its `peek --json` (`service` block and `project`):
/// what a migration records and reproduces.
public struct OriginalServiceState: Sendable, Equatable {
    public var mode: MigrationRecord.Mode
    public var active: Bool
    /// The pid-file serve's pid (the original reports none for a systemd unit).
    public var pid: Int?
    public var project: String
    /// Managed by a system unit (`install --system`), which a migration does not handle.
    public var systemManaged: Bool

    /// Nil when the document is not the original's (ours, or no peek document at all), with why.
    public static func read(_ document: JSONValue) -> Result<OriginalServiceState, RolloutError> {
        guard case .object(let object) = document else { return .failure(RolloutError("peek printed no JSON object")) }
        switch HostObservation.producer(object) {
        case .ours(let version):
            return .failure(RolloutError("it runs our agent-runner \(version) already; nothing to migrate"))
        case .unknown:
            return .failure(RolloutError("its peek is not the original 0.3.x's (no schema_version 2.x)"))
        case .original:
            break
        }
        let service = object["service"]?.objectValue
        guard let project = object["project"]?.stringValue, !project.isEmpty,
            project.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            return .failure(RolloutError("its peek names no usable project (units are agent-runner@<project>.service)"))
        }
        let mode = service?["mode"]?.stringValue.flatMap(MigrationRecord.Mode.init(rawValue:)) ?? .none
        return .success(
            OriginalServiceState(
                mode: mode, active: service?["active"]?.boolValue ?? false,
                pid: service?["pid"]?.intValue.flatMap { Int(exactly: $0) }, project: project,
                systemManaged: service?["system_managed"]?.boolValue ?? false))
    }
}

/// Where an effective configuration value came from, shown by `agent-runner config` and
/// `fleetctl check` the way `ssh -G` and `nginx -T` let an operator see what is really in force.
public enum ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Not set in any file: the built-in default.
    case defaultValue
    /// Set at this line of this file.
    case file(String, line: Int)
    /// Derived from other values (e.g. the project name from work_dir).
    case derived(String)

    public var description: String {
        switch self {
        case .defaultValue: return "default"
        case .file(let path, let line): return "\(path):\(line)"
        case .derived(let why): return "derived from \(why)"
        }
    }
}

import FleetCore
import Monitoring
import SSHTransport
import Synchronization

/// The artifact for each host: the pattern's `{arch}` replaced by the host's `uname -m` (read
/// once per host over the transport), each file read and hashed once (through the effects'
/// file system and process runner, so a test supplies the build without a file on disk).
public final class RolloutArtifactSource: Sendable {
    public let pattern: String
    public let target: String
    private let remote: any RemoteExecutor
    private let effects: Effects
    /// Each path's artifact, loaded once; the lock is held while one loads, so hosts of one
    /// architecture wait for the first read instead of each reading and hashing the file.
    private let loaded = Mutex<[String: Result<RolloutArtifact, RolloutError>]>([:])

    public init(pattern: String, target: String, remote: any RemoteExecutor, effects: Effects) {
        self.pattern = pattern
        self.target = target
        self.remote = remote
        self.effects = effects
    }

    public var perArchitecture: Bool { pattern.contains("{arch}") }

    public func artifact(for target: PollTarget) -> Result<RolloutArtifact, RolloutError> {
        var arch: String?
        if perArchitecture {
            switch RolloutHostProbe.arch(target, remote: remote, clock: effects.clock) {
            case .success(let value): arch = value
            case .failure(let error): return .failure(error)
            }
        }
        let path = RolloutArtifact.path(pattern, arch: arch)
        return loaded.withLock { loaded in
            if let known = loaded[path] { return known }
            let result: Result<RolloutArtifact, RolloutError>
            do {
                result = .success(try RolloutArtifact.load(path, arch: arch, target: self.target, effects: effects))
            } catch let error as RolloutError {
                result = .failure(error)
            } catch {
                result = .failure(RolloutError("\(error)"))
            }
            loaded[path] = result
            return result
        }
    }
}

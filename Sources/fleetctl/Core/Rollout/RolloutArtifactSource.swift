import FleetCore
import Monitoring
import SSHTransport
import Synchronization

/// The artifact for each host: the pattern's `{arch}` replaced by the host's `uname -m` (read
/// once per host over the transport), each file read and hashed once (through the effects'
/// file system and process runner, so a test supplies the build without a file on disk); or,
/// for an `[upgrade] source`, the target's build for that architecture fetched from the release
/// directory and verified against its SHA256SUMS here, on the operator machine, once per
/// architecture, before any host is touched with it.
public final class RolloutArtifactSource: Sendable {
    /// Where the builds come from.
    public enum Origin: Sendable {
        /// A file path, `{arch}` replaced per host.
        case pattern(String)
        /// Published builds and their SHA256SUMS.
        case release(ReleaseTemplate)
    }

    public let origin: Origin
    public let target: String
    /// `[upgrade] method`: with `deb`, the pattern names Debian packages (`{arch}` = the host's
    /// Debian architecture) and their version is the package's.
    public let method: UpgradeMethod
    private let remote: any RemoteExecutor
    private let effects: Effects
    private let timeoutS: Double
    /// Each path's (or architecture's) artifact, loaded once; the lock is held while one loads,
    /// so hosts of one architecture wait for the first read instead of each fetching and hashing.
    private let loaded = Mutex<[String: Result<RolloutArtifact, RolloutError>]>([:])

    public convenience init(
        pattern: String, target: String, remote: any RemoteExecutor, effects: Effects, method: UpgradeMethod = .binary
    ) {
        self.init(.pattern(pattern), target: target, remote: remote, effects: effects, method: method)
    }

    public init(
        _ origin: Origin, target: String, remote: any RemoteExecutor, effects: Effects, timeoutS: Double = 30,
        method: UpgradeMethod = .binary
    ) {
        self.origin = origin
        self.target = target
        self.method = method
        self.remote = remote
        self.effects = effects
        self.timeoutS = timeoutS
    }

    /// The source a journal recorded (`settings.artifact`, `settings.releaseSource`).
    public convenience init(
        settings: RolloutJournal.Settings, target: String, remote: any RemoteExecutor,
        effects: Effects
    ) throws(RolloutError) {
        guard settings.releaseSource else {
            self.init(
                pattern: settings.artifact, target: target, remote: remote, effects: effects, method: settings.method)
            return
        }
        do {
            self.init(
                .release(try ReleaseTemplate(settings.artifact)), target: target, remote: remote, effects: effects)
        } catch {
            throw RolloutError("the journal's release source is not usable: \(error)")
        }
    }

    /// The pattern or template as the journal and events record it.
    public var text: String {
        switch origin {
        case .pattern(let pattern): pattern
        case .release(let template): template.text
        }
    }

    public var perArchitecture: Bool { text.contains("{arch}") }

    public func artifact(for target: PollTarget) -> Result<RolloutArtifact, RolloutError> {
        var arch: String?
        if perArchitecture {
            switch RolloutHostProbe.arch(target, remote: remote, clock: effects.clock) {
            case .success(let value): arch = method == .deb ? UpgradeMethod.debianArchitecture(value) : value
            case .failure(let error): return .failure(error)
            }
        }
        let key: String
        switch origin {
        case .pattern(let pattern): key = RolloutArtifact.path(pattern, arch: arch)
        case .release: key = arch ?? HostArchitecture.current()
        }
        return loaded.withLock { loaded in
            if let known = loaded[key] { return known }
            let result: Result<RolloutArtifact, RolloutError>
            do throws(RolloutError) {
                result = .success(try load(key, arch: arch))
            } catch {
                result = .failure(error)
            }
            loaded[key] = result
            return result
        }
    }

    private func load(_ key: String, arch: String?) throws(RolloutError) -> RolloutArtifact {
        switch origin {
        case .pattern where method == .deb:
            return try RolloutArtifact.loadPackage(key, target: target, effects: effects)
        case .pattern:
            do {
                return try RolloutArtifact.load(key, arch: arch, target: target, effects: effects)
            } catch let error as RolloutError {
                throw error
            } catch {
                throw RolloutError("\(error)")
            }
        case .release(let template):
            do {
                let (release, bytes) = try ReleaseSource(template: template, arch: key, timeoutS: timeoutS)
                    .download(target: target)
                return RolloutArtifact(
                    path: release.location.description, bytes: bytes, sha256: release.sha256,
                    version: release.version.text)
            } catch {
                throw RolloutError("\(error.message); nothing was pushed")
            }
        }
    }
}

import FleetCore
import Glibc

/// The build a rollout pushes to a host: its bytes, their sha256 (verified again on the host by
/// `agent-runner upgrade --sha256`) and the version it reports.
public struct RolloutArtifact: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]
    public var sha256: String
    public var version: String

    /// `pattern` with `{arch}` replaced by the host's `uname -m`.
    public static func path(_ pattern: String, arch: String?) -> String {
        guard let arch else { return pattern }
        return pattern.replacingAll("{arch}", with: arch)
    }

    /// This machine's `uname -m`.
    public static var localArch: String { HostArchitecture.current() }

    /// Reads `path` and its version: the artifact itself answers `--version` when it is built for
    /// this machine (`arch` nil or equal to ours); otherwise `target` must say what it is. The
    /// file is read and `--version` run through `effects`.
    public static func load(
        _ path: String, arch: String?, target: String?,
        effects: Effects
    ) throws(RolloutError) -> RolloutArtifact {
        let bytes: [UInt8]
        do {
            bytes = try effects.fileSystem.readFile(path, limit: 1 << 30)
        } catch {
            throw RolloutError(
                "cannot read the artifact \(path): \(error.reason); "
                    + "pass --artifact PATH or fix [upgrade] artifact in the inventory")
        }
        guard !bytes.isEmpty else { throw RolloutError("the artifact \(path) is empty") }
        var version = target
        if arch == nil || arch == localArch {
            let reported: String
            do {
                reported = try reportedVersion(path, effects: effects)
            } catch {
                // A pattern without {arch} may name a build for another machine: --target says what it is.
                guard arch == nil, target != nil else { throw error }
                reported = target!
            }
            if let target, target != reported {
                throw RolloutError("the artifact \(path) reports version \(reported), not --target \(target)")
            }
            version = reported
        }
        guard let version else {
            throw RolloutError(
                "the artifact \(path) is for \(arch ?? "?"), not this machine (\(localArch)), so its version cannot be read here; pass --target X.Y.Z"
            )
        }
        return RolloutArtifact(path: path, bytes: bytes, sha256: SHA256.hex(of: bytes), version: version)
    }

    /// Reads the Debian package at `path` (`[upgrade] method = "deb"`): its bytes, and its version
    /// from its control fields (`dpkg-deb --field`), without the Debian revision
    /// (`0.2.0-1` → `0.2.0`, what the installed agent-runner reports); it must be `agent-runner`'s
    /// package, and agree with `target` when one is given.
    public static func loadPackage(
        _ path: String, target: String?, effects: Effects
    ) throws(RolloutError) -> RolloutArtifact {
        let bytes: [UInt8]
        do {
            bytes = try effects.fileSystem.readFile(path, limit: 1 << 30)
        } catch {
            throw RolloutError(
                "cannot read the package \(path): \(error.reason); pass --artifact PATH.deb or fix [upgrade] artifact")
        }
        let output: ProcessOutput
        do {
            let request = ProcessRequest(
                "dpkg-deb", arguments: ["--field", path, "Package", "Version"],
                environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"], deadline: effects.clock.now + .seconds(30))
            output = try effects.processes.run(request)
        } catch {
            throw RolloutError("cannot run dpkg-deb to read \(path) (\(error)); install it with: apt-get install dpkg")
        }
        var fields: [String: String] = [:]
        for line in output.stdoutText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        guard output.exit == .terminated(0), fields["Package"] == "agent-runner", let full = fields["Version"] else {
            throw RolloutError(
                "\(path) is not agent-runner's Debian package (dpkg-deb --field: \(output.exit), "
                    + "Package \(fields["Package"] ?? "?")); [upgrade] method = \"deb\" pushes agent-runner_VERSION_ARCH.deb"
            )
        }
        let version = full.split(separator: "-").dropLast(full.contains("-") ? 1 : 0).joined(separator: "-")
        if let target, target != version {
            throw RolloutError("the package \(path) is agent-runner \(version), not --target \(target)")
        }
        return RolloutArtifact(path: path, bytes: bytes, sha256: SHA256.hex(of: bytes), version: version)
    }

    /// `PATH --version` must print `agent-runner X.Y.Z`.
    static func reportedVersion(_ path: String, effects: Effects) throws(RolloutError) -> String {
        let output: ProcessOutput
        do {
            let request = ProcessRequest(path, arguments: ["--version"], deadline: effects.clock.now + .seconds(30))
            output = try effects.processes.run(request)
        } catch {
            throw RolloutError("cannot run \(path) --version: \(error)")
        }
        let words = output.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard output.exit == .terminated(0), words.count >= 2, words[0] == "agent-runner" else {
            throw RolloutError(
                "\(path) --version did not print 'agent-runner X.Y.Z' (\(output.exit)); is it an agent-runner build?")
        }
        return String(words[1])
    }
}

/// A rollout could not start or continue; the message says what and the next step.
public struct RolloutError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32
    public init(_ message: String, exitCode: Int32 = ExitCode.failure) {
        self.message = message
        self.exitCode = exitCode
    }
    public var description: String { message }
}

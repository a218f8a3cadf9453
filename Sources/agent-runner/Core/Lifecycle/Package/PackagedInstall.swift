import FleetCore

/// An agent-runner installed from the Debian package (`scripts/package-deb`): a file of the
/// package `agent-runner` as dpkg knows it (`/usr/bin/agent-runner`). Such a binary belongs to
/// the package manager: `agent-runner upgrade` must not replace what dpkg installed (the next
/// `apt upgrade` or `dpkg -r` would fight it), and `install` runs it rather than a `bin_link`.
///
/// Asked of `dpkg-query` (its database is dpkg's own business), through the process runner, so a
/// test scripts the answers. A binary outside /usr/bin and /bin, a machine without dpkg, or a
/// package that is not installed (removed, config files only) is not a packaged install.
public struct PackagedInstall: Sendable, Equatable {
    /// The package's name.
    public static let package = "agent-runner"

    /// The packaged binary (as dpkg lists it).
    public var path: String
    /// The installed package version (`0.2.0-1`), or nil when dpkg-query does not say.
    public var version: String?
    /// The package's Debian architecture (`amd64`, `arm64`), or nil when dpkg-query does not say.
    public var architecture: String?

    public init(path: String, version: String?, architecture: String?) {
        self.path = path
        self.version = version
        self.architecture = architecture
    }

    /// The package's install of `executable` (resolved: `/proc/self/exe`), or nil.
    /// `dpkg-query --search PATH` names the package owning it (on a merged-/usr system dpkg may
    /// list it as /bin/agent-runner, so both spellings are asked); `dpkg-query --show` gives its
    /// state, version and architecture.
    public static func owning(_ executable: String, processes: any ProcessRunner) -> PackagedInstall? {
        let name = executable.split(separator: "/").last.map(String.init) ?? executable
        guard ["/usr/bin/" + name, "/bin/" + name].contains(executable) else { return nil }
        func query(_ arguments: [String]) -> String? {
            let request = ProcessRequest(
                "dpkg-query", arguments: arguments, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"],
                deadline: .now + .seconds(10))
            guard let output = try? processes.run(request), output.exit == .terminated(0) else { return nil }
            return output.stdoutText
        }
        let spellings = [
            executable, executable.hasPrefix("/usr/") ? String(executable.dropFirst(4)) : "/usr" + executable,
        ]
        guard
            let listed = spellings.first(where: { path in
                (query(["--search", path]) ?? "").split(separator: "\n").contains { line in
                    line.split(separator: ":").first.map(String.init) == package && line.hasSuffix(": " + path)
                }
            })
        else { return nil }
        guard
            let shown = query(["--show", "--showformat=${db:Status-Status} ${Version} ${Architecture}", package])
        else { return nil }
        let words = shown.split(separator: " ").map(String.init)
        guard words.first == "installed" else { return nil }
        return PackagedInstall(
            path: listed, version: words.count > 1 ? words[1] : nil, architecture: words.count > 2 ? words[2] : nil)
    }

    /// `agent-runner 0.2.0-1 (amd64)`: what the messages call it.
    public var description: String {
        "the Debian package \(Self.package)" + (version.map { " \($0)" } ?? "")
    }

    /// The commands that upgrade it: a new .deb through apt (or dpkg), then a restart of the
    /// service so serve runs the new build.
    public var upgradeCommands: String {
        let name = "./\(Self.package)_VERSION_\(architecture ?? "ARCH").deb"
        return "sudo apt install \(name) (or: sudo dpkg -i \(name)), then agent-runner restart"
    }

    /// Why `agent-runner upgrade` will not touch it, and what to run instead.
    public var upgradeRefusal: String {
        "\(path) is installed by \(description): the package manager upgrades it, not agent-runner upgrade "
            + "(no bin_link is switched, nothing changed). Build the new .deb with scripts/build-release --deb and "
            + "run: \(upgradeCommands)"
    }
}

import FleetCore

/// How `fleetctl upgrade` puts a build on a host (`[upgrade] method` in the inventory).
///
/// `binary` (the default) pushes an agent-runner binary into `agent-runner upgrade --from -`,
/// which stages it beside the others and switches `bin_link`, with its own rollback. `deb` pushes
/// a Debian package (`scripts/build-release --deb`) and installs it with `dpkg -i` (through
/// `sudo -n` unless the ssh login is root): for hosts whose agent-runner is the package's, which
/// `agent-runner upgrade` refuses to replace. It is opt-in because it needs root on the host,
/// which the operator grants (a sudoers rule for the ssh user), and because fleetctl cannot roll
/// a package back: it has no older .deb to put back.
public enum UpgradeMethod: String, Sendable, Equatable, CaseIterable {
    case binary
    case deb

    /// The Debian architecture of a host that answers `uname -m` with `machine`: what `{arch}`
    /// stands for in a .deb's file name (`agent-runner_0.2.0-1_arm64.deb`).
    public static func debianArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64", "arm64": "arm64"
        case "armv7l", "armv6l", "armhf": "armhf"
        case "i386", "i486", "i586", "i686": "i386"
        case "ppc64le": "ppc64el"
        default: machine
        }
    }

    /// The remote command that installs a .deb read from standard input: kept in a temporary file
    /// (removed at exit), its sha256 checked against `sha256` before dpkg sees it, then
    /// `dpkg -i` as root (`sudo -n`: never a password prompt, which would hang the rollout).
    public static func installCommand(sha256: String) -> [String] {
        let script = """
            set -e
            deb=$(mktemp /tmp/agent-runner-XXXXXX.deb)
            trap 'rm -f "$deb"' EXIT
            cat > "$deb"
            if ! echo "\(sha256)  $deb" | sha256sum -c --status; then
              echo "the .deb arrived damaged (sha256 differs); nothing was installed" >&2; exit 1
            fi
            if [ "$(id -u)" = 0 ]; then dpkg -i "$deb" >&2; else sudo -n dpkg -i "$deb" >&2; fi
            """
        return ["sh", "-c", script]
    }
}

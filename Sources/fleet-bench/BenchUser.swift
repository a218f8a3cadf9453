import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The user the bench's loopback "hosts" log in as, for every scenario that uses one.
///
/// As root: `fleetbench`, a system user with /bin/sh and no home, so the figures measure ssh and
/// fleetctl, not this machine's ~/.bashrc (bash runs it for every ssh command; root's here
/// starts pyenv, ~1 s). `useradd --system` leaves the account locked (`!` in /etc/shadow), and
/// sshd with `UsePAM no` refuses every key of a locked account ("the host refused our key"), so
/// the account is unlocked with `usermod -p '*'` (no password, key logins allowed) every time it
/// is used, not only when it is created: any scenario, in any order, on a fresh machine.
enum BenchUser {
    static let name = "fleetbench"

    /// `fleetbench` when root (created or unlocked as needed), else the current user.
    static func login() -> String {
        guard geteuid() == 0 else {
            Bench.say(
                "fleet-bench: not root, logging in as \(current()); its shell start-up files count in every figure")
            return current()
        }
        let made = Bench.shell(
            "(id -u \(name) >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent "
                + "--shell /bin/sh \(name)) && usermod -p '*' \(name)")
        guard made.exit.isSuccess else {
            Bench.say(
                "fleet-bench: cannot create or unlock the user \(name) (\(made.stderrText.trimmingCharacters())); "
                    + "logging in as \(current()), whose ~/.bashrc counts in every figure")
            return current()
        }
        return name
    }

    /// The user running the bench.
    static func current() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}

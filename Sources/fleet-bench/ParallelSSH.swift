import FleetCore

/// Debian's `parallel-ssh` (pssh 2.3.4) running the same remote command as fleetctl's poll on the
/// same hosts: the side-by-side figure. It opens a new connection per host and call (no reuse).
enum ParallelSSH {
    /// Its path, or nil with a note on how to install it.
    static func binary() -> String? {
        if let path = ["/usr/bin/parallel-ssh", "/usr/bin/pssh"].first(where: Directories.isExecutableFile) {
            return path
        }
        Bench.say("  parallel-ssh not installed (apt-get install -y pssh): no side-by-side figure")
        return nil
    }

    /// Wall seconds of one `parallel-ssh -p parallel` over the first `hosts` hosts of `fleet`;
    /// fails the bench unless every host answered.
    static func run(_ binary: String, fleet: LoopbackFleet, hosts: Int, parallel: Int) -> Double {
        let out = fleet.directory + "/pssh-out"
        let log = fleet.directory + "/pssh.log"
        let remote = fleet.agentRunner() + " peek --json --events 200"
        let started = ContinuousClock.now
        let output = Bench.shell(
            "'\(binary)' -p \(parallel) -t 120 -h '\(fleet.hostList(hosts))' -x '-F \(fleet.sshConfig) -o BatchMode=yes -T' "
                + "-o '\(out)' '\(remote)' > '\(log)' 2>&1; grep -c SUCCESS '\(log)'")
        let elapsed = Bench.seconds(ContinuousClock.now - started)
        let succeeded = output.stdoutText.trimmingCharacters()
        if succeeded != String(hosts) {
            Bench.fail("parallel-ssh reached \(succeeded) of \(hosts) hosts; see its log: \(log)")
        }
        return elapsed
    }
}

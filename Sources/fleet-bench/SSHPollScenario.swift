import FleetCore
import SSHTransport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `ssh-poll`: one poll of one loopback host (`agent-runner peek --json` over the system ssh,
/// through SSHExecutor exactly as fleetctl does it), cold (a new connection per call) and warm
/// (ControlMaster reuse, as `fleetctl watch` polls).
enum SSHPollScenario {
    static func run(runs: Int) {
        let host = LoopbackHost.start(aliases: ["benchhost"])
        defer { host.stop() }
        let project = Bench.temporaryDirectory("sshpoll")
        defer { Bench.shell("rm -rf '\(project)'") }
        _ = PeekScenario.generate(events: 1000, in: project)
        Bench.shell("chmod -R a+rX '\(project)'")
        let argv = [Bench.binary("agent-runner"), "--config", project + "/agent-runner.toml", "peek", "--json"]
        let executor = SSHExecutor()
        let control = Bench.temporaryDirectory("cm")
        defer { Bench.shell("rm -rf '\(control)'") }
        Bench.shell("chmod 700 '\(control)'")
        let target: SSHTarget
        do { target = try SSHTarget("benchhost") } catch { Bench.fail("\(error)") }
        let cold = RemoteHost(
            name: "benchhost", target: target, options: SSHOptions(configFile: host.sshConfig, connectionReuse: .off))
        let warm = RemoteHost(
            name: "benchhost", target: target,
            options: SSHOptions(
                configFile: host.sshConfig, connectionReuse: .on(controlDirectory: control, persistS: 60)))

        func time(_ remote: RemoteHost) -> Double {
            let start = ContinuousClock.now
            let result = executor.runJSON(host: remote, argv: argv, deadline: .now + .seconds(20))
            guard result.document != nil else {
                Bench.fail("poll failed: \(result.result.errorMessage ?? "no document")")
            }
            return Bench.seconds(ContinuousClock.now - start)
        }
        _ = time(warm)  // establishes the master
        let colds = (0..<max(3, runs / 2)).map { _ in time(cold) }
        let warms = (0..<runs).map { _ in time(warm) }
        _ = executor.closeControlMaster(for: warm)
        Bench.say(
            "ssh-poll: agent-runner peek --json on one loopback host as user \(host.user), through fleetctl's SSHExecutor"
        )
        Bench.say("  cold (new connection each call): \(Statistics(values: colds).line(unit: "ms", scale: 1000))")
        Bench.say("  warm (ControlMaster reuse):      \(Statistics(values: warms).line(unit: "ms", scale: 1000))")
    }
}

import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `serve-overhead`: what the supervisor itself costs per round, and its memory while an agent
/// runs, for our agent-runner and (when available) the original Python tool side by side.
/// Overhead = round wall time (round_substrate_before to the next one) minus the agent's own
/// time (agent_exit.duration_s) minus the restart delay. Memory counts the supervisor's own
/// processes (serve, and the original's per-round Python child), not the agent.
enum ServeOverheadScenario {
    struct Result {
        var overheads: [Double]
        var rssSamples: [Double]
        var peak: (rss: Int, anonymous: Int, pss: Int)
    }

    static func run(rounds: Int) {
        let ours = measure(
            binary: Bench.binary("agent-runner"), rounds: rounds, restartDelay: "0.05", delay: 0.05,
            supervisorChildren: false)
        Bench.say("serve-overhead: \(rounds) rounds, agent sleeps 0.3 s")
        report("agent-runner (this)", ours)
        if let original = OriginalTool.binary() {
            let theirs = measure(
                binary: original, rounds: max(3, rounds / 2), restartDelay: "1", delay: 1, supervisorChildren: true)
            report("cli-agent-runner 0.3.14", theirs)
            Bench.say(
                "  ratio (original / this): overhead \(format(Statistics(values: theirs.overheads).median / Statistics(values: ours.overheads).median))x, peak RSS \(format(Double(theirs.peak.rss) / Double(ours.peak.rss)))x"
            )
        }
    }

    static func report(_ label: String, _ result: Result) {
        Bench.say(
            "  \(label): overhead per round \(Statistics(values: result.overheads).line(unit: "ms", scale: 1000))")
        Bench.say(
            "  \(label): supervisor RSS while rounds run \(Statistics(values: result.rssSamples).line(unit: "MiB", scale: 1.0 / 1024)); peak RSS \(format(Double(result.peak.rss) / 1024)) MiB (anonymous \(format(Double(result.peak.anonymous) / 1024)) MiB, PSS \(format(Double(result.peak.pss) / 1024)) MiB)"
        )
    }

    /// `supervisorChildren`: count serve's Python or agent-runner children as the supervisor's (the
    /// original runs each round in a Python child). Ours has none: a child it spawns (git, the
    /// agent) is named agent-runner only between clone and exec, while it still shares serve's
    /// memory, and counting it would double serve's RSS in that sample.
    static func measure(
        binary: String, rounds: Int, restartDelay: String, delay: Double, supervisorChildren: Bool
    ) -> Result {
        let dir = Bench.temporaryDirectory("serve")
        defer { Bench.shell("rm -rf '\(dir)'") }
        BenchProject.create(
            in: dir, work: "sleep 0.3", word: "Benchmark", agent: ["prompt_arg_template = [\"-p\"]"],
            runtime: ["restart_delay_s = \(restartDelay)"])

        let process: RunningProcess
        do {
            process = try PosixProcessRunner().spawn(
                ProcessRequest(
                    binary, arguments: ["serve", "--max-rounds", String(rounds)], workingDirectory: dir,
                    standardOutput: .discard, standardError: .capture()))
        } catch {
            Bench.fail("cannot start \(binary) serve: \(error)")
        }
        var peak = (rss: 0, anonymous: 0, pss: 0)
        var samples: [Double] = []
        while process.poll() == nil {
            // The supervisor's processes: serve and its non-agent descendants (the original runs
            // each round in a Python child).
            let supervisor =
                [process.pid]
                + (supervisorChildren ? ProcessTree.descendants(of: process.pid) : []).filter { pid in
                    let command = ProcessTree.entry(for: pid)?.command ?? ""
                    return command.hasPrefix("python") || command.hasPrefix("agent-runner")
                }
            var total = (rss: 0, anonymous: 0, pss: 0)
            for pid in supervisor {
                if let memory = Bench.memoryKiB(pid) {
                    total = (total.rss + memory.rss, total.anonymous + memory.anonymous, total.pss + memory.pss)
                }
            }
            if total.rss > 1024 {
                peak = (max(peak.rss, total.rss), max(peak.anonymous, total.anonymous), max(peak.pss, total.pss))
                samples.append(Double(total.rss))
            }
            usleep(20_000)
        }
        let events = (try? EventLogReader(directory: dir + "/logs").lastEvents(100_000)) ?? []
        let befores = events.filter { $0.kind == "round_substrate_before" }
        let exits = events.filter { $0.kind == "agent_exit" }
        var overheads: [Double] = []
        for index in 0..<max(0, befores.count - 1) where index < exits.count {
            guard let wall = Bench.interval(befores[index].ts, befores[index + 1].ts),
                let agent = exits[index].payload["duration_s"]?.doubleValue
            else { continue }
            overheads.append(wall - agent - delay)
        }
        guard !overheads.isEmpty else {
            Bench.fail("no rounds measured for \(binary); it said: \(process.collectOutput().stderrText)")
        }
        return Result(overheads: overheads, rssSamples: samples, peak: peak)
    }
}

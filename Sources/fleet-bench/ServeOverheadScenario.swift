#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// `serve-overhead`: what the supervisor itself costs per round, and its memory while an agent
/// runs. Overhead = round wall time (round_substrate_before to the next one) minus the agent's
/// own time (agent_exit.duration_s) minus the restart delay.
enum ServeOverheadScenario {
    static func run(rounds: Int) {
        let dir = Bench.temporaryDirectory("serve")
        defer { Bench.shell("rm -rf '\(dir)'") }
        let agentSleep = "0.3"
        let setup = """
            set -e
            mkdir -p bin prompts
            cat > bin/agent <<'SH'
            #!/bin/sh
            cat > /dev/null
            sleep \(agentSleep)
            echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":1,"result":"ok"}'
            SH
            chmod +x bin/agent
            for i in $(seq 1 40); do echo "Benchmark prompt line $i: do the work carefully."; done > prompts/main.md
            printf 'logs/\\n' > .gitignore
            cat > agent-runner.toml <<'TOML'
            schema_version = 1
            [agent]
            command = ["./bin/agent"]
            prompt_arg_template = []
            prompt_delivery = "stdin"
            [runtime]
            work_dir = "."
            log_dir = "logs"
            restart_delay_s = 0.05
            [prompt]
            file = "prompts/main.md"
            TOML
            git init -q && git add -A && git -c user.email=b@b -c user.name=b commit -qm init
            """
        let made = Bench.shell(setup, in: dir)
        guard made.exit == .terminated(0) else { Bench.fail("setup failed: \(made.stderrText)") }

        let process: RunningProcess
        do {
            process = try PosixProcessRunner().spawn(ProcessRequest(
                Bench.binary("agent-runner"), arguments: ["serve", "--max-rounds", String(rounds)], workingDirectory: dir,
                standardOutput: .discard, standardError: .capture()))
        } catch {
            Bench.fail("cannot start agent-runner serve: \(error)")
        }
        var peak = (rss: 0, anonymous: 0, pss: 0)
        var samples: [Double] = []
        while process.poll() == nil {
            if let memory = Bench.memoryKiB(process.pid), memory.rss > 1024 {
                peak = (max(peak.rss, memory.rss), max(peak.anonymous, memory.anonymous), max(peak.pss, memory.pss))
                samples.append(Double(memory.rss))
            }
            usleep(20_000)
        }
        let events = (try? EventLogReader(directory: dir + "/logs").lastEvents(100_000)) ?? []
        let befores = events.filter { $0.kind == "round_substrate_before" }
        let exits = events.filter { $0.kind == "agent_exit" }
        var overheads: [Double] = []
        for index in 0..<max(0, befores.count - 1) where index < exits.count {
            guard let wall = Bench.interval(befores[index].ts, befores[index + 1].ts),
                  let agent = exits[index].payload["duration_s"]?.doubleValue else { continue }
            overheads.append(wall - agent - 0.05)
        }
        guard !overheads.isEmpty else { Bench.fail("no rounds measured; serve said: \(process.collectOutput().stderrText)") }
        Bench.say("serve-overhead: \(rounds) rounds, agent sleeps \(agentSleep) s, restart_delay_s 0.05")
        Bench.say("  supervisor overhead per round: \(Statistics(values: overheads).line(unit: "ms", scale: 1000))")
        Bench.say("  serve RSS while rounds run: \(Statistics(values: samples).line(unit: "MiB", scale: 1.0 / 1024))")
        Bench.say("  serve peak: RSS \(format(Double(peak.rss) / 1024)) MiB, of which anonymous \(format(Double(peak.anonymous) / 1024)) MiB; PSS \(format(Double(peak.pss) / 1024)) MiB")
    }
}

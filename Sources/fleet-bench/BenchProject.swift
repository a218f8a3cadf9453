/// A git project whose agent is a shell script that reads its prompt, does `work` and prints one
/// Claude-style result line: what the serve benchmarks (overhead, soak) run rounds of.
enum BenchProject {
    /// Creates the project in `directory` (its prompt 40 lines of `word` text, logs in `logs/`),
    /// with `agent` and `runtime` lines appended to those sections of agent-runner.toml; fails the
    /// run when setting it up fails.
    static func create(
        in directory: String, work: String, word: String, agent: [String] = [], runtime: [String] = []
    ) {
        let setup = """
            set -e
            mkdir -p bin prompts
            cat > bin/agent <<'SH'
            #!/bin/sh
            cat > /dev/null
            \(work)
            echo '{"type":"result","is_error":false,"usage":{"input_tokens":1,"output_tokens":1},"duration_ms":1,"result":"ok"}'
            SH
            chmod +x bin/agent
            for i in $(seq 1 40); do echo "\(word) prompt line $i: do the work carefully."; done > prompts/main.md
            printf 'logs/\\n' > .gitignore
            cat > agent-runner.toml <<'TOML'
            schema_version = 1
            [agent]
            command = ["./bin/agent"]
            \((agent + ["prompt_delivery = \"stdin\""]).joined(separator: "\n"))
            [runtime]
            work_dir = "."
            log_dir = "logs"
            \(runtime.joined(separator: "\n"))
            [prompt]
            file = "prompts/main.md"
            TOML
            git init -q && git add -A && git -c user.email=b@b -c user.name=b commit -qm init
            """
        let made = Bench.shell(setup, in: directory)
        guard made.exit == .terminated(0) else { Bench.fail("\(word) project setup failed: \(made.stderrText)") }
    }
}

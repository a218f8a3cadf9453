import FleetCore

/// The `[hooks]` around a round. A failing hook is `hook_failed` and never stops the round; a
/// pre-round hook that rewrites a prompt file is `prompt_overwritten` (the agent then gets the
/// rewritten prompt, which is not the file an operator reviewed). Hooks named in
/// `[plugins] disable` do not run.
struct RoundHooks {
    let config: AgentRunnerConfig
    let runner: HookRunner
    let events: EventSink
    let fileSystem: any FileSystem
    /// The supervisor's own environment, which hooks inherit.
    let baseEnvironment: [String: String]

    /// The environment hooks see: the supervisor's plus the round's identity.
    func environment(round: Int, phase: String?) -> [String: String] {
        var env = baseEnvironment
        env["AGENT_RUNNER_LOG_DIR"] = config.runtime.logDir
        env["AGENT_RUNNER_ROUND_NUM"] = String(round)
        env["AGENT_RUNNER_PHASE"] = phase ?? ""
        env["AGENT_RUNNER_WORK_DIR"] = config.runtime.workDir
        env["AGENT_RUNNER_CONFIG"] = config.configPath
        // [runtime] dry_run: a hook with side effects (deploys, notifications) reads it first.
        env["AGENT_RUNNER_DRY_RUN"] = config.runtime.dryRun ? "1" : "0"
        return env
    }

    private func enabled(_ hooks: [AgentRunnerConfig.HookCommand]) -> [AgentRunnerConfig.HookCommand] {
        hooks.filter { !config.plugins.disable.contains($0.name) }
    }

    func runPreRound(round: Int, phase: String?, promptFiles: [String], environment: [String: String]) {
        for hook in enabled(config.hooks.preRound) {
            let before = promptFiles.map(sha256)
            let outcome = runner.run(hook, environment: environment)
            if !outcome.succeeded {
                events.emit(HookFailed(hook: hook.name, phase: .preRound, outcome: outcome))
            }
            for (index, path) in promptFiles.enumerated() {
                let after = sha256(path)
                if after != before[index] {
                    events.emit(
                        PromptOverwritten(
                            roundNum: round, phase: phase, hook: hook.name, promptPath: path,
                            oldSHA256: before[index], newSHA256: after))
                }
            }
        }
    }

    /// Post-round hooks also see the agent's exit code and its transcript's path.
    func runPostRound(environment: [String: String], exit: AgentExit, logPath: String) {
        let roundEnvironment = environment.merging(
            ["AGENT_RUNNER_EXIT_CODE": String(exit.exitCode), "AGENT_RUNNER_ROUND_LOG": logPath]) { _, new in new }
        for hook in enabled(config.hooks.postRound) {
            let outcome = runner.run(hook, environment: roundEnvironment)
            if !outcome.succeeded {
                events.emit(HookFailed(hook: hook.name, phase: .postRound, outcome: outcome))
            }
        }
    }

    private func sha256(_ path: String) -> String? {
        (try? fileSystem.readFile(path)).map { SHA256.hex(of: $0) }
    }
}

import AgentRunnerCore
import FleetCore

/// `agent-runner init`: scaffold agent-runner.toml, prompts/main.md, the preset's files and
/// .gitignore's lines.
enum InitCommand {
    static let spec = VerbSpec(
        "init", summary: "create agent-runner.toml and prompts/main.md for an agent CLI, and commit them",
        discussion: """
            Writes agent-runner.toml (from --preset), prompts/main.md (a neutral template, kept if it
            exists unless --force), the preset's own files (aider: .aider.model.settings.yml) and a
            'logs/' line (aider: also '.aider*') in .gitignore into the folder of --config (the
            current folder by default), which must be in a git work tree, then commits exactly those
            files. serve never stashes or auto-commits agent-runner.toml, the prompt files or log_dir,
            so a dirty round cannot take the config away even with --no-commit.
            """,
        options: [
            OptionSpec(
                "preset", value: "NAME",
                help: "Agent CLI: \(AgentPreset.all.map(\.name).joined(separator: ", ")) (default: claude)."),
            OptionSpec("force", help: "Overwrite an existing agent-runner.toml (and prompts/main.md)."),
            OptionSpec("commit", help: "git commit the new files (the default)."),
            OptionSpec("no-commit", help: "Do not commit; prints the command that does."),
        ],
        exitCodes: [
            (ExitCode.success, "the files were written (and committed)"),
            (
                ExitCode.failure,
                "not a git work tree, agent-runner.toml exists without --force, or writing/committing failed"
            ),
            (ExitCode.usage, "the command line is wrong (e.g. an unknown preset)"),
            (ExitCode.software, "internal error: the preset does not load"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let name = parsed.value("preset") ?? "claude"
        guard let preset = AgentPreset.named(name) else {
            return runner.usageFailure(
                UsageError(
                    "--preset must be one of \(AgentPreset.all.map(\.name).joined(separator: ", ")), got '\(name)'",
                    verb: "init"), context: context)
        }
        if parsed.has("commit") && parsed.has("no-commit") {
            return runner.usageFailure(
                UsageError("--commit and --no-commit exclude each other", verb: "init"), context: context)
        }
        if AgentRunnerProgram.explicitConfigPath(parsed, context: context) == nil {
            let fileSystem = context.fileSystem
            if case .found(let path, let directory) = ProjectLocator.locate(
                from: context.currentDirectory, exists: { fileSystem.exists($0) }),
                directory != ProjectLocator.normalized(context.currentDirectory)
            {
                context.stderr.write(
                    "agent-runner: \(path) already configures the project this folder belongs to; every "
                        + "agent-runner command finds it from here. To rewrite it: agent-runner init --force in "
                        + "\(directory); for a separate project here: agent-runner init --config ./agent-runner.toml\n")
                return ExitCode.failure
            }
        }
        let configPath = ConfigPaths.absolute(
            AgentRunnerProgram.configPath(parsed, context: context), against: context.currentDirectory)
        let initializer = ProjectInitializer(
            configPath: configPath, effects: context.effects,
            environment: context.environment, home: context.home)
        let result: ProjectInitializer.Result
        do {
            result = try initializer.run(
                .init(preset: preset, force: parsed.has("force"), commit: !parsed.has("no-commit")))
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return error.exitCode
        }
        let files = result.filesCreated.joined(separator: ", ")
        if result.committed {
            context.stderr.write(
                "agent-runner: wrote \(files) in \(result.workDir) (preset \(result.preset)) and committed them (\"\(ProjectScaffold.commitMessage)\")\n"
            )
        } else if let command = result.commitCommand {
            context.stderr.write(
                "agent-runner: wrote \(files) in \(result.workDir) (preset \(result.preset)), not committed; commit them before the first round:\n  \(command)\n"
            )
        } else {
            context.stderr.write(
                "agent-runner: wrote \(files) in \(result.workDir) (preset \(result.preset)); already committed, nothing new\n"
            )
        }
        context.stderr.write(
            "agent-runner: next: agent-runner config (check it), then agent-runner install (systemd) or agent-runner start\n"
        )
        if parsed.has("json") {
            let object = JSONObject([
                ("work_dir", .string(result.workDir)),
                ("files_created", .array(result.filesCreated.map(JSONValue.string))),
                ("committed", .bool(result.committed)), ("preset", .string(result.preset)),
            ])
            context.stdout.write(JSONLines.line(.object(object)))
        }
        return ExitCode.success
    }
}

import FleetCore

/// `fleetctl check`: validates the inventory and prints it as fleetctl understands it.
enum CheckCommand {
    static let spec = VerbSpec(
        "check", summary: "validate the inventory and print every host's effective settings",
        discussion: """
            Reads the inventory as every other verb would: [defaults], then each group the host
            belongs to (in the order the host lists them), then the host's own table. Prints the
            result, or one line naming file, line and key of the first problem.
            """,
        exitCodes: [
            (ExitCode.success, "the inventory is valid"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        if parsed.has("json") {
            context.stdout.write(JSONWriter(style: .pretty(indent: 2)).string(inventory.json()) + "\n")
        } else {
            context.stdout.write(inventory.text())
        }
        return ExitCode.success
    }
}

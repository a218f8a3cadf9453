import AgentRunnerCore
import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

exit(AgentRunnerProgram.main(Array(CommandLine.arguments.dropFirst()), context: .live()))

import AgentRunnerCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

exit(AgentRunnerProgram.main(Array(CommandLine.arguments.dropFirst()), context: .live()))

import ArgumentParser
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate")
}
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench")
}

import ArgumentParser

/// The options of `tripline mcp`. The MCP server is a program of its own, `tripline-mcp`
/// (its SDK brings FoundationNetworking and with it libcurl and some thirty libraries, which
/// every other command would otherwise load at start); `tripline mcp` parses these options,
/// so that help, completions and manual pages tell them, and hands them on with
/// ``arguments``.
public struct MCPOptions: ParsableArguments {
    @OptionGroup public var model: ModelDirOption

    @Option(name: .customLong("allow"), parsing: .upToNextOption,
            help: ArgumentHelp("Folders analyze_log_file may read (besides $LOG_DIR; with neither, /var/log).", valueName: "path"))
    public var allow: [String] = []

    @Option(name: .long, help: ArgumentHelp("Largest file analyze_log_file reads, in MiB.", valueName: "MiB"))
    public var maxFileMb: Int = 1024

    @Option(name: .long, help: ArgumentHelp("Largest logs argument analyze_logs takes, in MiB.", valueName: "MiB"))
    public var maxInputMb: Int = 32

    @OptionGroup public var configFile: ConfigOption

    public init() {}

    /// Where analyze_log_file reads when no folder is named.
    public static let defaultRoot = "/var/log"

    /// The same options as command-line arguments, each value its own argument (a folder
    /// named `--x` stays a value: `--allow=--x`).
    public var arguments: [String] {
        var out: [String] = []
        if let d = model.modelDir { out.append("--model-dir=" + d) }
        for a in allow { out.append("--allow=" + a) }
        out.append("--max-file-mb=\(maxFileMb)")
        out.append("--max-input-mb=\(maxInputMb)")
        if let c = configFile.config { out.append("--config=" + c) }
        return out
    }
}

import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// libFuzzer's driver over one target, from the executable's own `main` (SwiftPM gives an
/// executable its main; libFuzzer's is not used). Takes libFuzzer's flags: `-runs=N`,
/// `-max_total_time=S`, a corpus directory …
public enum FuzzDriver {
    /// The target of this process (set once, before the driver starts).
    nonisolated(unsafe) static var target: (Data) -> Void = { _ in }

    public static func run(_ body: @escaping (Data) -> Void) -> Never {
        target = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}

/// The per-input entry libFuzzer links against (and calls through the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzDriver.target(data.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

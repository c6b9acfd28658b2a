import BusProtocol
import Foundation

/// A message header from any bytes: decoding never traps; what decodes encodes again.
func fuzzHeader(_ bytes: Data) {
    guard let header = try? JSONDecoder().decode(Header.self, from: bytes) else { return }
    guard let again = try? JSONDecoder().decode(Header.self, from: JSONEncoder().encode(header)), again.id == header.id else {
        fatalError("a decoded header does not survive a round trip")
    }
}

import Testing
import BinanceVenue

import Tradectl

await Tradectl.runFromCommandLine()

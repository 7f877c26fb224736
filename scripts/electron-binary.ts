import { electronBinary } from '../test/helpers/electronBinary'

// Prints the installed Electron executable, or exits 1: reads node_modules/electron/path.txt without requiring the
// package (requiring it would start downloading a missing binary).
const exe = electronBinary()
if (exe === null) process.exit(1)
console.log(exe)

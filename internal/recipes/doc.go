// Package recipes holds no code: its tests run the Makefile's recipes for newcomers as a person would
// (make help, tools, user, token, users, deploy) and check what they print and how they exit.
package recipes

using GemmaBench.Tool;

return CommandLine.Run(args);

namespace GemmaBench.Model.Tokenizer;

/// <summary>Gemma-3's chat format for a single user turn followed by the model's turn.</summary>
static class ChatFormat
{
    public const string StartOfTurn = "<start_of_turn>";
    public const string EndOfTurn = "<end_of_turn>";

    // Limitation: the Jinja template is not interpreted; this is what Gemma-3's renders for one user
    // message with add_generation_prompt, minus the leading BOS. Other templates are refused.
    public static string Render(string template, string userMessage, string configPath)
    {
        if (!template.Contains(StartOfTurn) || !template.Contains(EndOfTurn))
            throw new ModelException($"{configPath}: chat_template is not Gemma-3's (no {StartOfTurn} and " +
                $"{EndOfTurn}); leave out --chat.");
        return $"{StartOfTurn}user\n{Trim(userMessage)}{EndOfTurn}\n{StartOfTurn}model\n";
    }

    // The template's `trim` filter is Python's str.strip(), whose whitespace also counts U+001C..U+001F.
    static string Trim(string text) => text.Trim().Trim('\x1c', '\x1d', '\x1e', '\x1f') is var once
        && once.Length != text.Length ? Trim(once) : once;
}

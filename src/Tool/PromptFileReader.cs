using System.Text;

namespace GemmaBench.Tool;

/// <summary>Reads --prompt-file: the file's text as is, in strict UTF-8 (a UTF-8 byte-order mark is
/// dropped; any other byte-order mark, as of UTF-16 or UTF-32, is not UTF-8).</summary>
public static class PromptFileReader
{
    /// <exception cref="UsageException">The file is missing, a directory, unreadable or not UTF-8.</exception>
    public static string Read(string path)
    {
        if (Directory.Exists(path))
            throw new UsageException($"--prompt-file: {path} is a directory; give a UTF-8 text file " +
                "holding the prompt");
        if (!File.Exists(path))
            throw new UsageException($"--prompt-file: no file {path}; give a UTF-8 text file holding " +
                "the prompt");
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
            return strict.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"--prompt-file: {path} is not UTF-8 text; save it as UTF-8");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--prompt-file: cannot read {path} ({e.Message}); check its " +
                "permissions");
        }
    }
}

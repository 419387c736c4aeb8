using GemmaBench.Model;
using GemmaBench.Model.Compiled;
using GemmaBench.Model.Hub;
using GemmaBench.Model.Tokenizer;
using GemmaBench.Quant;
using ScalarType = TorchSharp.torch.ScalarType;

namespace GemmaBench.Tool.Benchmark;

/// <summary>Opens Gemma-3 checkpoints for the benchmark: resolves --model through the hub cache,
/// reads the config and the tokenizer, and leaves the weights for <see cref="GemmaTarget.LoadWeights"/>.
/// </summary>
public sealed class GemmaTargetFactory(IDownloadProgress progress, HubSettings? hub = null) : IBenchmarkTargetFactory
{
    public IBenchmarkTarget Open(BenchmarkSettings settings)
    {
        string dir = ModelLocator.Resolve(settings.Model, settings.Revision, progress, hub);
        var config = GemmaConfig.Load(dir);
        var tokenizer = File.Exists(Path.Combine(dir, "tokenizer.json")) ? GemmaTokenizer.Load(dir) : null;
        return new GemmaTarget(dir, config, tokenizer, settings);
    }
}

/// <summary>One Gemma-3 model bound to the benchmark protocol.</summary>
public sealed class GemmaTarget(string dir, GemmaConfig config, GemmaTokenizer? tokenizer,
    BenchmarkSettings settings) : IBenchmarkTarget
{
    GemmaModel? model;
    CompiledDecoder? compiled;
    Generator? generator;
    string kernel = "float";
    int threads = 1;

    // Prefill attends every prompt token to every other at once: for each head float32 scores, their softmax
    // and the mask as added to them (12 bytes), the int64 position distances and boolean masks that build the
    // mask (about 12), and the mask repeated for each query head of a KV group (1 byte each). Measured peak on
    // the 270m shape at 8,500 tokens: 57 bytes per token² beside the model; this gives 64.
    // Limitation: there is no chunked prefill, so prompts whose square does not fit are refused.
    public ModelLimits Limits { get; } = new(config.MaxPositionEmbeddings,
        [config.HiddenSize, config.IntermediateSize, config.NumHeads * config.HeadDim], config.VocabSize,
        PrefillBytesPerSquaredToken: 12L * config.NumHeads + 12 + config.NumHeads / Math.Max(1, config.NumKvHeads));

    public IReadOnlyList<int> Encode(string prompt, bool chat)
    {
        var tok = tokenizer ?? throw new ModelException($"{dir} has no tokenizer.json: add the tokenizer " +
            "files (tokenizer.json, tokenizer_config.json) or give the prompt as --prompt-ids");
        return tok.Encode(chat ? tok.ApplyChatTemplate(prompt) : prompt);
    }

    public void LoadWeights()
    {
        var dtype = settings.Dtype == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
        // Projections about to be quantized are converted one at a time as they are replaced.
        model = GemmaModel.Load(dir, dtype, deferConversion: settings.Quantizes);
        generator = new Generator(model);
    }

    public Int4KernelInEffect Quantize(int threads)
    {
        this.threads = threads;
        var options = new QuantOptions
        {
            Scheme = QuantNames.ParseScheme(settings.QuantScheme),
            GroupSize = settings.GroupSize,
            Kernel = QuantNames.ParseKernel(settings.Int4Kernel),
            Threads = threads,
        };
        var loaded = Loaded();
        loaded.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
        var resolved = options.Kernel == Int4Kernel.Auto ? Quantizer.ResolveAuto() : options.Kernel;
        kernel = QuantNames.Name(resolved);
        generator = Generation(loaded);
        string detail = loaded.LmHead is QuantizedLinear head ? head.KernelName : kernel;
        return new Int4KernelInEffect(kernel, detail);
    }

    /// <summary>Compiles the decoder over the projections as they now are (after quantizing); the mode
    /// says how the step is split, e.g. "segments+managed" or "whole-step+int4pack".</summary>
    public string Compile()
    {
        compiled = CompiledDecoder.Compile(Loaded(), new CompileOptions
        {
            Kernel = kernel,
            Fuse = Quantizer.Fuse,
            ForwardInto = Quantizer.ForwardInto,
        });
        generator = Generation(compiled);
        return compiled.Mode;
    }

    Generator Generation(IDecoderStep decoder) =>
        new(kernel == QuantNames.Name(Int4Kernel.Managed) && threads > 1
            ? new DecodeOnOneLibTorchThread(decoder, threads)
            : decoder);

    public IReadOnlyList<int> Generate(IReadOnlyList<int> promptIds, int maxNewTokens, int minNewTokens,
        Action<int>? onToken = null)
    {
        Loaded();
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens, MinNewTokens = minNewTokens };
        return generator!.Generate(promptIds, options, onToken).TokenIds;
    }

    public ITextStream StartText() =>
        tokenizer == null ? new IdText() : new TokenizerText(tokenizer.CreateStreamingDecoder(skipSpecialTokens: true));

    public void Dispose()
    {
        compiled?.Dispose();
        model?.Dispose();
    }

    GemmaModel Loaded() => model ?? throw new InvalidOperationException("LoadWeights was not called");

    sealed class TokenizerText(StreamingDecoder decoder) : ITextStream
    {
        public string Push(int tokenId) => decoder.Push(tokenId);

        public string Flush() => decoder.Flush();
    }

    /// <summary>Without a tokenizer the completion is shown as its token ids.</summary>
    sealed class IdText : ITextStream
    {
        bool first = true;

        public string Push(int tokenId)
        {
            string text = (first ? "" : " ") + tokenId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            first = false;
            return text;
        }

        public string Flush() => "";
    }
}

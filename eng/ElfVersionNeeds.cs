// Marks chosen symbol-version requirements of an ELF shared library as weak, so that the dynamic
// loader accepts a libstdc++ that lacks them. Used by eng/NativeLibraryFixups.targets at build and
// pack time, and by the tests to check the copied library.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GemmaBench.Build
{
    public static class ElfVersionNeeds
    {
        const uint SectionTypeVersionNeed = 0x6ffffffe;
        const ushort FlagWeak = 0x2;

        public sealed class Need
        {
            public Need(string library, string version, ushort flags, long flagsOffset)
            {
                Library = library;
                Version = version;
                Flags = flags;
                FlagsOffset = flagsOffset;
            }

            public string Library { get; }
            public string Version { get; }
            public ushort Flags { get; }
            public long FlagsOffset { get; }
            public bool IsWeak => (Flags & FlagWeak) != 0;
        }

        /// <summary>Every (library, version) requirement in the file's version-need section.</summary>
        public static List<Need> Read(string path)
        {
            byte[] image = File.ReadAllBytes(path);
            return Read(image, path);
        }

        /// <summary>Sets the weak flag on each requirement whose version name is in <paramref name="versions"/>.
        /// Returns how many were changed; a file already patched is left as it is.</summary>
        public static int Weaken(string path, ICollection<string> versions)
        {
            byte[] image = File.ReadAllBytes(path);
            int changed = 0;
            foreach (Need need in Read(image, path))
            {
                if (!versions.Contains(need.Version) || need.IsWeak)
                    continue;
                WriteU16(image, need.FlagsOffset, (ushort)(need.Flags | FlagWeak));
                changed++;
            }
            if (changed > 0)
            {
                string temp = path + ".weakening";
                File.WriteAllBytes(temp, image);
                // Replace rather than rewrite, so that a copy hard-linked to the package cache stays intact.
                File.Delete(path);
                File.Move(temp, path);
            }
            return changed;
        }

        static List<Need> Read(byte[] image, string path)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L'
                || image[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported");

            long sectionTable = (long)ReadU64(image, 0x28);
            int sectionSize = ReadU16(image, 0x3A);
            int sectionCount = ReadU16(image, 0x3C);
            var needs = new List<Need>();
            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionTable + (long)i * sectionSize;
                if (ReadU32(image, header + 4) != SectionTypeVersionNeed)
                    continue;
                long offset = (long)ReadU64(image, header + 0x18);
                uint stringSection = ReadU32(image, header + 0x28);
                uint entries = ReadU32(image, header + 0x2C);
                long strings = (long)ReadU64(image, sectionTable + stringSection * sectionSize + 0x18);

                long entry = offset;
                for (uint e = 0; e < entries; e++)
                {
                    int auxCount = ReadU16(image, entry + 2);
                    string library = ReadString(image, strings + ReadU32(image, entry + 4));
                    long aux = entry + ReadU32(image, entry + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        string version = ReadString(image, strings + ReadU32(image, aux + 8));
                        needs.Add(new Need(library, version, ReadU16(image, aux + 4), aux + 4));
                        aux += ReadU32(image, aux + 12);
                    }
                    entry += ReadU32(image, entry + 12);
                }
            }
            return needs;
        }

        static ushort ReadU16(byte[] b, long at) => (ushort)(b[at] | b[at + 1] << 8);
        static uint ReadU32(byte[] b, long at) => BitConverter.ToUInt32(b, checked((int)at));
        static ulong ReadU64(byte[] b, long at) => BitConverter.ToUInt64(b, checked((int)at));

        static void WriteU16(byte[] b, long at, ushort value)
        {
            b[at] = (byte)value;
            b[at + 1] = (byte)(value >> 8);
        }

        static string ReadString(byte[] b, long at)
        {
            long end = at;
            while (b[end] != 0)
                end++;
            return Encoding.ASCII.GetString(b, checked((int)at), checked((int)(end - at)));
        }
    }

#if !ELF_READER_ONLY
    /// <summary>MSBuild task: weakens the listed version requirements in each file given.</summary>
    public class WeakenVersionNeeds : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string Versions { get; set; } = "";

        public override bool Execute()
        {
            var versions = new HashSet<string>(Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var file in Files)
            {
                int changed = ElfVersionNeeds.Weaken(file.ItemSpec, versions);
                if (changed > 0)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        $"Weakened {changed} version requirement(s) in {file.ItemSpec}");
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}

package dev.springway.source.file;

import dev.springway.snapshot.ManifestReader;
import dev.springway.snapshot.ResourceSnapshot;
import dev.springway.source.ResourceSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reads every {@code *.yaml}/{@code *.yml} below a folder (files starting with {@code .} are ignored) and watches it
 * for changes (file system notifications, and polling as a fallback). Only changed files are parsed again. {@code metadata.generation} and {@code creationTimestamp} are
 * kept as an API server would when the files leave them out: generation 1 at first sight and +1 when the spec
 * changes, creation time when first seen.
 */
public final class FileResourceSource implements ResourceSource {

	private static final Logger log = LoggerFactory.getLogger(FileResourceSource.class);

	private final Path directory;

	private final Duration pollInterval;

	private final Clock clock;

	private final ManifestReader reader = new ManifestReader();

	private final Map<Path, ParsedFile> files = new HashMap<>();

	private final Map<String, Tracked> tracked = new HashMap<>();

	private ScheduledExecutorService poller;

	private WatchService watcher;

	private record Stamp(long modified, long size) {
	}

	/** A file as last parsed, with its objects' identities (kind/namespace/name) computed once. */
	private record ParsedFile(Stamp stamp, List<HasMetadata> objects, List<String> identities, List<String> problems) {
	}

	/** What the provider remembers of an object across reloads. */
	private record Tracked(Object spec, long generation, String creationTimestamp) {
	}

	public FileResourceSource(Path directory, Duration pollInterval, Clock clock) {
		this.directory = directory;
		this.pollInterval = pollInterval;
		this.clock = clock;
	}

	@Override
	public void start(Runnable onChange) {
		poller = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "springway-file-watch");
			thread.setDaemon(true);
			return thread;
		});
		Map<Path, Stamp> last = new HashMap<>(scan());
		Runnable check = () -> {
			try {
				Map<Path, Stamp> now = scan();
				if (!now.equals(last)) {
					last.clear();
					last.putAll(now);
					onChange.run();
				}
			}
			catch (RuntimeException ex) {
				log.warn("Cannot scan {}: {}", directory, ex.getMessage());
			}
		};
		poller.scheduleWithFixedDelay(check, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
		watch(() -> poller.execute(check));
	}

	/**
	 * File system notifications (inotify on Linux) trigger the same check at once, so a change is seen in
	 * milliseconds; polling stays as the safety net for file systems and mounts that send none.
	 */
	private void watch(Runnable check) {
		try {
			watcher = directory.getFileSystem().newWatchService();
			registerDirectories();
		}
		catch (IOException | UnsupportedOperationException ex) {
			log.info("No file system notifications for {} ({}); polling only", directory, ex.getMessage());
			return;
		}
		Thread thread = new Thread(() -> {
			try {
				while (true) {
					WatchKey key = watcher.take();
					boolean newFolder = key.pollEvents().stream().anyMatch(event -> createsFolder(key, event));
					key.reset();
					if (newFolder) {
						registerDirectories();
					}
					check.run();
				}
			}
			catch (InterruptedException | ClosedWatchServiceException | RejectedExecutionException stopped) {
				// closed
			}
		}, "springway-file-notify");
		thread.setDaemon(true);
		thread.start();
	}

	/** A folder appeared (or events were lost): its files need watching too. */
	private static boolean createsFolder(WatchKey key, WatchEvent<?> event) {
		return event.kind() == StandardWatchEventKinds.OVERFLOW || event.kind() == StandardWatchEventKinds.ENTRY_CREATE
				&& key.watchable() instanceof Path folder && event.context() instanceof Path name
				&& Files.isDirectory(folder.resolve(name));
	}

	/** Registering is idempotent, so new subfolders are picked up by registering everything again. */
	private void registerDirectories() {
		if (!Files.isDirectory(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path folder : (Iterable<Path>) paths.filter(Files::isDirectory)::iterator) {
				folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
						StandardWatchEventKinds.ENTRY_MODIFY);
			}
		}
		catch (IOException | UncheckedIOException ex) {
			log.debug("Cannot watch {}: {}", directory, ex.getMessage());
		}
	}

	@Override
	public synchronized State current() {
		Map<Path, Stamp> stamps = scan();
		files.keySet().retainAll(stamps.keySet());
		List<String> problems = new ArrayList<>();
		List<HasMetadata> objects = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		stamps.keySet().stream().sorted().forEach(path -> {
			ParsedFile parsed = files.get(path);
			if (parsed == null || !parsed.stamp().equals(stamps.get(path))) {
				parsed = parse(path, stamps.get(path));
				files.put(path, parsed);
			}
			parsed.problems().forEach(problems::add);
			for (int i = 0; i < parsed.objects().size(); i++) {
				if (seen.add(parsed.identities().get(i))) {
					objects.add(parsed.objects().get(i));
				}
				else {
					problems.add(directory.relativize(path) + ": duplicate " + parsed.identities().get(i) + " ignored");
				}
			}
		});
		tracked.keySet().retainAll(seen);
		return new State(ResourceSnapshot.of(objects, clock.instant()), List.copyOf(problems));
	}

	private ParsedFile parse(Path path, Stamp stamp) {
		String name = directory.relativize(path).toString();
		ManifestReader.Result result;
		try {
			result = reader.read(Files.readString(path, StandardCharsets.UTF_8));
		}
		catch (IOException | UncheckedIOException ex) {
			result = new ManifestReader.Result(List.of(), List.of("cannot read: " + ex.getMessage()));
		}
		List<String> problems = result.problems().stream().map(p -> name + ": " + p).toList();
		problems.forEach(p -> log.error("Skipped {}", p));
		result.objects().forEach(this::stamp);
		return new ParsedFile(stamp, result.objects(),
				result.objects().stream().map(FileResourceSource::identity).toList(), problems);
	}

	/** Fills in generation and creationTimestamp where the file leaves them out. */
	private void stamp(HasMetadata object) {
		String identity = identity(object);
		Object spec = reader.serialization().convertValue(object, Map.class).get("spec");
		Tracked previous = tracked.get(identity);
		var metadata = object.getMetadata();
		if (metadata.getGeneration() == null) {
			metadata.setGeneration(previous == null ? 1
					: Objects.equals(previous.spec(), spec) ? previous.generation() : previous.generation() + 1);
		}
		if (metadata.getCreationTimestamp() == null) {
			metadata.setCreationTimestamp(previous != null ? previous.creationTimestamp()
					: clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
		}
		tracked.put(identity, new Tracked(spec, metadata.getGeneration(), metadata.getCreationTimestamp()));
	}

	private static String identity(HasMetadata object) {
		return object.getKind() + "/" + Objects.toString(object.getMetadata().getNamespace(), "") + "/"
				+ object.getMetadata().getName();
	}

	/**
	 * The manifests and their stamps, one file system walk reading each entry's attributes once (a symbolic link,
	 * as in a mounted ConfigMap, is stamped by its target). Hidden files and folders (a mounted ConfigMap's
	 * {@code ..data}, say) are skipped.
	 */
	private Map<Path, Stamp> scan() {
		Map<Path, Stamp> stamps = new HashMap<>();
		if (!Files.isDirectory(directory)) {
			return stamps;
		}
		try {
			Files.walkFileTree(directory, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
					return folder.equals(directory) || !hidden(folder) ? FileVisitResult.CONTINUE
							: FileVisitResult.SKIP_SUBTREE;
				}

				@Override
				public FileVisitResult visitFile(Path path, BasicFileAttributes attributes) throws IOException {
					String name = path.getFileName().toString();
					if (!hidden(path) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
						BasicFileAttributes target = attributes.isSymbolicLink()
								? Files.readAttributes(path, BasicFileAttributes.class) : attributes;
						if (target.isRegularFile()) {
							stamps.put(path, new Stamp(target.lastModifiedTime().toMillis(), target.size()));
						}
					}
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path path, IOException ex) {
					// Deleted while scanning (or a dangling link): the next scan sees it as it is.
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException | UncheckedIOException ex) {
			log.warn("Cannot list {}: {}", directory, ex.getMessage());
		}
		return stamps;
	}

	private static boolean hidden(Path path) {
		return path.getFileName().toString().startsWith(".");
	}

	@Override
	public void close() {
		if (poller != null) {
			poller.shutdownNow();
		}
		if (watcher != null) {
			try {
				watcher.close();
			}
			catch (IOException ex) {
				log.debug("Closing the file watcher: {}", ex.getMessage());
			}
		}
	}
}

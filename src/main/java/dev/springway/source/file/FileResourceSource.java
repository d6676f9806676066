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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Reads every {@code *.yaml}/{@code *.yml} below a folder (files starting with {@code .} are ignored) and watches it
 * for changes (file system notifications, and polling as a fallback). Only changed files are looked at and parsed
 * again. {@code metadata.generation} and {@code creationTimestamp} are kept as an API server would when the files
 * leave them out: generation 1 at first sight and +1 when the spec changes, creation time when first seen.
 */
public final class FileResourceSource implements ResourceSource {

	private static final Logger log = LoggerFactory.getLogger(FileResourceSource.class);

	private final Path directory;

	private final Duration pollInterval;

	private final Clock clock;

	private final ManifestReader reader = new ManifestReader();

	private final Map<Path, ParsedFile> files = new HashMap<>();

	/** The manifests' stamps as last read, in path order (the order objects are read in). */
	private final Map<Path, Stamp> stamps = new TreeMap<>();

	/** Paths notified as changed since the last read. */
	private final Set<Path> touched = ConcurrentHashMap.newKeySet();

	/** Whether the next read scans the whole folder rather than only the touched paths. */
	private final AtomicBoolean rescan = new AtomicBoolean(true);

	/** The last poll's scan when it differed from the last read (used by the poller thread only). */
	private Map<Path, Stamp> unexplained;

	/** Whether file system notifications are on; without them every read scans. */
	private volatile boolean watching;

	private final Map<String, Tracked> tracked = new HashMap<>();

	private ScheduledExecutorService poller;

	private WatchService watcher;

	private record Stamp(long modified, long size) {
	}

	/** A file as last parsed, with its objects' identities (kind/namespace/name) computed once. */
	private record ParsedFile(Stamp stamp, List<HasMetadata> objects, List<String> identities, List<String> problems) {
	}

	/**
	 * What the provider remembers of an object across reloads: a digest of its spec, not the spec as maps, which would
	 * take as much memory again as the object itself.
	 */
	private record Tracked(byte[] specDigest, long generation, String creationTimestamp) {
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
		poller.scheduleWithFixedDelay(() -> {
			try {
				poll(onChange);
			}
			catch (RuntimeException ex) {
				log.warn("Cannot scan {}: {}", directory, ex.getMessage());
			}
		}, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
		watch(onChange);
	}

	/**
	 * Signals a change the last read does not show. With notifications on, a difference usually means a notified
	 * change not read yet, so only one that is still there at the next poll is signalled (and the whole folder read
	 * again): spurious reconciles would delay the notified changes behind them.
	 */
	private void poll(Runnable onChange) {
		Map<Path, Stamp> scanned = scan();
		if (!differsFromLastRead(scanned)) {
			unexplained = null;
		}
		else if (!watching || scanned.equals(unexplained)) {
			unexplained = null;
			rescan.set(true);
			onChange.run();
		}
		else {
			unexplained = scanned;
		}
	}

	private synchronized boolean differsFromLastRead(Map<Path, Stamp> scanned) {
		return !scanned.equals(stamps);
	}

	/**
	 * File system notifications (inotify on Linux) name the files that changed, so a change is seen in milliseconds
	 * and only those files are looked at again; polling stays as the safety net for file systems and mounts that
	 * send none.
	 */
	private void watch(Runnable onChange) {
		try {
			watcher = directory.getFileSystem().newWatchService();
			registerDirectories();
		}
		catch (IOException | UnsupportedOperationException ex) {
			log.info("No file system notifications for {} ({}); polling only", directory, ex.getMessage());
			return;
		}
		watching = true;
		Thread thread = new Thread(() -> {
			try {
				while (true) {
					WatchKey key = watcher.take();
					boolean relevant = false;
					for (WatchEvent<?> event : key.pollEvents()) {
						relevant |= note(key, event);
					}
					key.reset();
					if (relevant) {
						onChange.run();
					}
				}
			}
			catch (InterruptedException | ClosedWatchServiceException | RejectedExecutionException stopped) {
				// closed
			}
		}, "springway-file-notify");
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * Records what an event changed: a manifest (or a deleted entry, which may be a folder of them) is looked at
	 * again on the next read; a new folder, a swapped link to one (a mounted ConfigMap's {@code ..data}) or lost
	 * events make the next read scan everything. Returns whether the event can change the objects.
	 */
	private boolean note(WatchKey key, WatchEvent<?> event) {
		if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(key.watchable() instanceof Path folder)
				|| !(event.context() instanceof Path name)) {
			rescan.set(true);
			registerDirectories();
			return true;
		}
		Path path = folder.resolve(name);
		if (Files.isDirectory(path)) {
			rescan.set(true);
			registerDirectories();
			return true;
		}
		if (manifest(path) || event.kind() == StandardWatchEventKinds.ENTRY_DELETE && !hiddenBelowRoot(path)) {
			touched.add(path);
			return true;
		}
		return false;
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
		if (!watching || rescan.getAndSet(false)) {
			touched.clear();
			stamps.clear();
			stamps.putAll(scan());
		}
		else {
			for (Iterator<Path> paths = touched.iterator(); paths.hasNext();) {
				Path path = paths.next();
				paths.remove();
				restamp(path);
			}
		}
		List<String> problems = new ArrayList<>();
		List<HasMetadata> objects = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		stamps.forEach((path, stamp) -> {
			ParsedFile parsed = files.get(path);
			if (parsed == null || !parsed.stamp().equals(stamp)) {
				parsed = parse(path, stamp);
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
		// both hold every current path (identity) by now: anything more is gone, and is forgotten
		if (files.size() > stamps.size()) {
			files.keySet().retainAll(stamps.keySet());
		}
		if (tracked.size() > seen.size()) {
			tracked.keySet().retainAll(seen);
		}
		return new State(ResourceSnapshot.of(objects, clock.instant()), List.copyOf(problems));
	}

	/** Brings one notified path's stamp up to date; a path that is gone takes what was below it along. */
	private void restamp(Path path) {
		Stamp stamp = manifest(path) ? stamp(path) : null;
		if (stamp != null) {
			stamps.put(path, stamp);
		}
		else {
			stamps.keySet().removeIf(known -> known.startsWith(path));
		}
	}

	/** The stamp of a regular file (a symbolic link is stamped by its target), or null. */
	private static Stamp stamp(Path path) {
		try {
			BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
			return attributes.isRegularFile()
					? new Stamp(attributes.lastModifiedTime().toMillis(), attributes.size()) : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** Whether a path names a manifest: {@code *.yaml}/{@code *.yml}, neither it nor a folder above it hidden. */
	private boolean manifest(Path path) {
		String name = path.getFileName().toString();
		return (name.endsWith(".yaml") || name.endsWith(".yml")) && !hiddenBelowRoot(path);
	}

	private boolean hiddenBelowRoot(Path path) {
		for (Path element : directory.relativize(path)) {
			if (hidden(element)) {
				return true;
			}
		}
		return false;
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
		byte[] specDigest = specDigest(object);
		Tracked previous = tracked.get(identity);
		var metadata = object.getMetadata();
		if (metadata.getGeneration() == null) {
			metadata.setGeneration(previous == null ? 1
					: MessageDigest.isEqual(previous.specDigest(), specDigest) ? previous.generation()
							: previous.generation() + 1);
		}
		if (metadata.getCreationTimestamp() == null) {
			metadata.setCreationTimestamp(previous != null ? previous.creationTimestamp()
					: clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
		}
		tracked.put(identity, new Tracked(specDigest, metadata.getGeneration(), metadata.getCreationTimestamp()));
	}

	private byte[] specDigest(HasMetadata object) {
		Object spec = reader.serialization().convertValue(object, Map.class).get("spec");
		try {
			return MessageDigest.getInstance("SHA-256")
				.digest(reader.serialization().asJson(spec).getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java platform has SHA-256", ex);
		}
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
						Stamp stamp = attributes.isSymbolicLink() ? stamp(path)
								: attributes.isRegularFile()
										? new Stamp(attributes.lastModifiedTime().toMillis(), attributes.size()) : null;
						if (stamp != null) {
							stamps.put(path, stamp);
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

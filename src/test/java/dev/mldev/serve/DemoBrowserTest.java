package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.Environment;
import dev.mldev.bundle.Bundle;
import dev.mldev.runtime.Device;
import dev.mldev.runtime.SessionFactory;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestDependencies;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real headless Chromium (Debian's chromium and chromium-driver), against a real server with the
 * real recognizer: an uploaded text line is read and shown with its time and provider; an example is tried from the
 * keyboard; past the rate limit the page says so. Screenshots land in target/ (phone-sized and desktop).
 */
class DemoBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path home;

    PredictServer server;
    WebDriver browser;

    @BeforeEach
    void requireChromium() {
        TestDependencies.require(
                "chromium and chromium-driver",
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "apt-get install -y chromium chromium-driver");
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void readsAnUploadedLineAndAnExampleAndSaysWhenRateLimited() throws Exception {
        long started = System.nanoTime();
        Path example = TextImages.write(TextImages.line("upright text"), home.resolve("example.png"));
        Path bundle = home.resolve("rec");
        CliRun pack = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.REC).toString(),
                "--preset",
                "ppocr-rec",
                "--vocab",
                TestModels.file(TestModels.VOCAB).toString(),
                "--out",
                bundle.toString(),
                "--title",
                "Read a line of text",
                "--description",
                "PP-OCRv4's recognizer: drop a photo of one printed line.",
                "--example",
                example.toString());
        assertThat(pack.exitCode).as(pack.toString()).isZero();
        ServeOptions options = new ServeOptions(
                bundle,
                "127.0.0.1",
                0,
                "/health",
                "/predict",
                Duration.ofMinutes(5),
                false,
                16,
                Duration.ofMillis(5),
                null,
                Device.CPU,
                ServeOptions.DEFAULT_MAX_BODY_BYTES,
                new RateLimit(2));
        server = PredictServer.start(
                options, Bundle.open(bundle), new SessionFactory(new Environment(Map.of(), home), m -> {}, false));
        browser = chromium(home.resolve("chromium-profile"));
        browser.manage().window().setSize(new Dimension(390, 844)); // a phone
        browser.get("http://127.0.0.1:" + server.port() + "/");
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(ExpectedConditions.textToBe(By.id("title"), "Read a line of text"));

        // the first element Tab reaches is the file chooser: the page works from the keyboard
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("file");

        Path line = TextImages.write(TextImages.line("Scale to zero"), home.resolve("line.png"));
        browser.findElement(By.id("file")).sendKeys(line.toString());
        wait.until(ExpectedConditions.textToBe(By.id("answer-text"), "Scale to zero"));
        assertThat(browser.findElement(By.id("provider")).getText()).isEqualTo("CPU · CPUExecutionProvider");
        assertThat(browser.findElement(By.id("time")).getText()).matches("\\d+ ms \\(the model itself: [\\d.]+ ms\\)");
        screenshot("demo-page-phone.png");

        WebElement exampleButton = browser.findElement(By.cssSelector("#examples button"));
        exampleButton.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("answer-text"), "upright text"));

        browser.findElement(By.id("file")).sendKeys(line.toString()); // the third in a minute, over 2/min
        wait.until(ExpectedConditions.textMatches(
                By.id("status"),
                java.util.regex.Pattern.compile("Too many tries: this demo allows 2 tries a minute from one address\\. "
                        + "Try again in \\d+ s\\.")));
        assertThat(browser.findElements(By.id("answer-text"))).isEmpty();

        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("demo-page-rate-limited.png");
        System.out.printf("DemoBrowserTest: page driven in Chromium in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Headless, and nothing that would reach the internet (this machine has none). */
    private static WebDriver chromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }
}

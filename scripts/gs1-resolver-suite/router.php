<?php
// The harness's web server (php -S 127.0.0.1:PORT router.php), in a folder laid out by the
// test: GS1's tester.php answers the suite's ?test= calls, as on GS1's own site; the page,
// the suite, the toolkit and the local copies are served from this folder; /harness/validate
// runs validate.py; /harness/result writes what the page posts to $OCOP_SUITE_RESULT.

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$query = $_SERVER['QUERY_STRING'] ?? '';

if (str_starts_with($query, 'test=')) {
    require __DIR__ . '/tester.php';
    return true;
}

if ($path === '/harness/validate' && $_SERVER['REQUEST_METHOD'] === 'POST') {
    $validator = proc_open(
        ['/usr/bin/env', 'python3', __DIR__ . '/validate.py'],
        [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
        $pipes
    );
    fwrite($pipes[0], file_get_contents('php://input'));
    fclose($pipes[0]);
    $answer = stream_get_contents($pipes[1]);
    $problem = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    if (proc_close($validator) !== 0) {
        $answer = json_encode(['valid' => false, 'errors' => [['path' => '', 'message' => 'validator failed: ' . $problem]]]);
    }
    header('Content-Type: application/json');
    echo $answer;
    return true;
}

if ($path === '/harness/result' && $_SERVER['REQUEST_METHOD'] === 'POST') {
    file_put_contents(getenv('OCOP_SUITE_RESULT') . '.part', file_get_contents('php://input'));
    rename(getenv('OCOP_SUITE_RESULT') . '.part', getenv('OCOP_SUITE_RESULT'));
    echo "ok\n";
    return true;
}

$files = [
    '/' => ['index.html', 'text/html; charset=utf-8'],
    '/harness.js' => ['harness.js', 'text/javascript; charset=utf-8'],
    '/GS1DigitalLinkToolkit.js' => ['GS1DigitalLinkToolkit.js', 'text/javascript; charset=utf-8'],
    '/GS1DigitalLinkResolverTestSuite.js' => ['GS1DigitalLinkResolverTestSuite.js', 'text/javascript; charset=utf-8'],
    '/gs1-linkset-schema.json' => ['gs1-linkset-schema.json', 'application/json'],
    '/linktypes.json' => ['linktypes.json', 'application/json'],
];
if (isset($files[$path])) {
    [$file, $type] = $files[$path];
    header("Content-Type: $type");
    readfile(__DIR__ . '/' . $file);
    return true;
}
http_response_code(404);
echo "not found\n";
return true;
